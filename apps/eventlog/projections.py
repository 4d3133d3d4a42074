"""Rebuilding a projection (registry.Projection) from the log."""

from django.db import connection, transaction

from apps.eventlog.models import Event
from apps.eventlog.registry import Projection, registry


@transaction.atomic
def projection_rebuild(projection: Projection) -> int:
    """Empty the read model and apply every event of its types from the log, oldest first.
    Returns how many events were applied. One rebuild of a projection at a time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"projection:{projection.name}"]
        )
    projection.reset()
    subscriber = registry.get_subscriber(projection.subscriber_name)
    applied = 0
    types = Event.objects.order_by("type").values_list("type", flat=True).distinct()
    wanted = [event_type for event_type in types if subscriber.wants(event_type)]
    for event in Event.objects.filter(type__in=wanted).order_by("seq").iterator(chunk_size=2000):
        projection.apply(event)
        applied += 1
    return applied
