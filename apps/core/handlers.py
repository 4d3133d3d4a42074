"""Subscribers of the core app."""

from apps.core.events import SETTING_CHANGED, SETTING_DELETED
from apps.core.idempotency import idempotency_keys_purge
from apps.core.models import SettingChange
from apps.eventlog.registry import Projection, registry


@registry.projection
class SettingHistory(Projection):
    """Every value each system setting has had, and who set it."""

    name = "setting_history"
    event_types = (SETTING_CHANGED, SETTING_DELETED)

    def apply(self, event):
        deleted = event.type == SETTING_DELETED.name
        SettingChange.objects.bulk_create(
            [
                SettingChange(
                    event_id=event.id,
                    key=event.payload["key"],
                    value=None if deleted else event.payload["value"],
                    deleted=deleted,
                    changed_by=event.actor.get("username") or "",
                    changed_at=event.occurred_at,
                )
            ],
            ignore_conflicts=True,  # a redelivered event is already there
        )

    def reset(self):
        SettingChange.objects.all().delete()


@registry.periodic("core.purge_idempotency_keys", every_seconds=lambda: 3600)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()
