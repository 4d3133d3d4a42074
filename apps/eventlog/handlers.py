"""What the event log itself runs in the worker."""

from django.conf import settings

from apps.eventlog.backups import backup_create
from apps.eventlog.checkpoints import checkpoint_write
from apps.eventlog.registry import registry


@registry.periodic("eventlog.checkpoint", every_seconds=lambda: settings.AUDIT_CHECKPOINT_SECONDS)
def write_checkpoint() -> int:
    """The chain's head, signed, to the log and to AUDIT_CHECKPOINT_DIR."""
    checkpoint_write()
    return 0


@registry.periodic("eventlog.backup", every_seconds=lambda: settings.BACKUP_INTERVAL_HOURS * 3600)
def back_up() -> int:
    """A backup into BACKUP_DIR, keeping the newest BACKUP_KEEP (when BACKUP_DIR is set)."""
    if not settings.BACKUP_DIR:
        return 0
    backup_create(directory=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    return 1
