"""Subscribers of the resources app."""

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from apps.eventlog.registry import Projection, registry
from apps.resources.events import ALLOCATION_CANCELLED, ALLOCATION_CREATED
from apps.resources.models import AllocationHistory


@registry.projection
class AllocationHistoryProjection(Projection):
    """Every booking and cancellation per project, for the history endpoint."""

    name = "allocation_history"
    event_types = (ALLOCATION_CREATED, ALLOCATION_CANCELLED)

    def apply(self, event):
        payload = event.payload
        AllocationHistory.objects.bulk_create(
            [
                AllocationHistory(
                    event_id=event.id,
                    recorded_at=event.recorded_at,
                    allocation_id=payload["allocation_id"],
                    project_id=payload["project_id"],
                    resource_id=payload["resource_id"],
                    starts_at=datetime.fromisoformat(payload["from"]),
                    ends_at=datetime.fromisoformat(payload["to"]),
                    status=payload["status"],
                    actor=event.actor.get("username") or "",
                )
            ],
            ignore_conflicts=True,  # the key is the event: applying it twice adds nothing
        )

    def reset(self):
        AllocationHistory.objects.all().delete()

    def maintain(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            cursor.execute(
                "SELECT resources_history_ensure_partitions(%s)", [settings.AUDIT_PARTITION_MONTHS]
            )
            return cursor.fetchone()[0]
