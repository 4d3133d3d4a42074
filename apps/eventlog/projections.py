"""Rebuilding a projection (registry.Projection) from the log."""

from django.db import connection, transaction

from apps.eventlog.models import Event
from apps.eventlog.registry import Projection, registry

REBUILD_CHUNK = 2000


class RebuildRunning(RuntimeError):
    """Another rebuild of the same projection is under way."""


def projection_rebuild(projection: Projection, *, chunk: int = REBUILD_CHUNK) -> int:
    """Empty the read model and apply every event of its types from the log, oldest first;
    returns how many events were applied. One rebuild of a projection at a time.

    Each chunk of events is a transaction of its own: one transaction over the whole log
    would hold the sealer (and live updates) back for as long as the rebuild lasts. While
    it runs, the read model fills up again; the relay keeps applying new events beside it
    (applying an event twice adds nothing)."""
    lock = f"projection:{projection.name}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [lock])
        if not cursor.fetchone()[0]:
            raise RebuildRunning(f"{projection.name} is being rebuilt already")
    try:
        with transaction.atomic():
            projection.reset()
        subscriber = registry.get_subscriber(projection.subscriber_name)
        types = Event.objects.order_by("type").values_list("type", flat=True).distinct()
        wanted = [event_type for event_type in types if subscriber.wants(event_type)]
        applied, after = 0, 0
        while True:
            with transaction.atomic():
                events = list(
                    Event.objects.filter(type__in=wanted, seq__gt=after).order_by("seq")[:chunk]
                )
                for event in events:
                    projection.apply(event)
            applied += len(events)
            if len(events) < chunk:
                return applied
            after = events[-1].seq
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [lock])
