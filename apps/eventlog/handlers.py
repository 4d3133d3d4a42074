"""What the event log itself runs in the worker."""

from django.conf import settings

from apps.eventlog.checkpoints import checkpoint_write
from apps.eventlog.registry import registry


@registry.periodic("eventlog.checkpoint", every_seconds=lambda: settings.AUDIT_CHECKPOINT_SECONDS)
def write_checkpoint() -> int:
    """The chain's head, signed, to the log and to AUDIT_CHECKPOINT_DIR."""
    checkpoint_write()
    return 0
