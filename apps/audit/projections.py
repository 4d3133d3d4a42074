"""Projections: read models kept up to date from events, and rebuilt from the log.

A projection is a subscriber whose `apply` is idempotent (typically INSERT ... ON CONFLICT
DO NOTHING keyed by the event id), so a redelivery, a replay or a rebuild running beside
the relay never counts an event twice.
"""

from django.db import connection, transaction

from apps.audit.models import Event
from apps.events.registry import Subscriber, subscriber

_projections: dict[str, "Projection"] = {}


class Projection:
    name: str
    event_types: tuple[str, ...]

    def apply(self, event: Event) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Empty the read model (before a rebuild)."""
        raise NotImplementedError

    def maintain(self) -> int:
        """Daily upkeep of the read model (the worker runs it), such as creating the coming
        months' partitions; returns how many things it created or removed."""
        return 0

    @property
    def subscriber_name(self) -> str:
        return f"projection.{self.name}"


def register(projection_class: type[Projection]) -> type[Projection]:
    """Class decorator: the projection becomes the subscriber `projection.<name>`."""
    projection = projection_class()
    _projections[projection.name] = projection
    subscriber(projection.subscriber_name, event_types=projection.event_types)(projection.apply)
    return projection_class


def get_projection(name: str) -> Projection | None:
    return _projections.get(name)


def all_projections() -> list[Projection]:
    return sorted(_projections.values(), key=lambda projection: projection.name)


@transaction.atomic
def projection_rebuild(projection: Projection) -> int:
    """Empty the read model and apply every event of its types from the log, oldest first.
    Returns how many events were applied. One rebuild of a projection at a time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"projection:{projection.name}"]
        )
    projection.reset()
    subscriber = Subscriber(projection.subscriber_name, tuple(projection.event_types), None)
    applied = 0
    types = Event.objects.order_by("type").values_list("type", flat=True).distinct()
    wanted = [event_type for event_type in types if subscriber.wants(event_type)]
    for event in Event.objects.filter(type__in=wanted).order_by("seq").iterator(chunk_size=2000):
        projection.apply(event)
        applied += 1
    return applied
