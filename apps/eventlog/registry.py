"""The one registry of the event log.

It holds what the apps declare about events: the event types with their public contracts
(each app's events.py), and what runs on them (each app's handlers.py): subscribers of the
outbox, projections (subscribers whose read model can be rebuilt from the log), periodic
jobs the worker runs, and readers of the sealed log. The event log's AppConfig imports
every app's events.py, then its handlers.py, when Django starts.
"""

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import structlog
from django.conf import settings

from apps.eventlog.contracts import EVENT_TYPE_PATTERN, EventType, Live, PublicPayload

logger = structlog.get_logger("fusionops.worker")


def event_type_matches(patterns, event_type: str) -> bool:
    """Whether `patterns` (exact types, prefixes ending in `.*`, `*` for all) take
    `event_type`."""
    return any(
        pattern == "*"
        or pattern == event_type
        or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
        for pattern in patterns
    )


@dataclass(frozen=True)
class Subscriber:
    """`event_types` entries are exact types, prefixes ending in `.*`, or `*` for all."""

    name: str
    event_types: tuple[str, ...]
    handle: Callable
    max_attempts: int | None = None
    # Runs in a transaction of its own, not batched with other deliveries: for steps that
    # lock rows other steps lock too (stock levels, orders), whose lock order across a
    # batch nobody controls.
    alone: bool = False
    # Or batched with others, for steps that can say up front which rows they will lock:
    # called with every event of a transaction delivered to subscribers sharing this
    # function, before any of them runs, it takes those locks in one fixed order, so that
    # transactions of several workers queue instead of deadlocking.
    prelock: Callable[[list], None] | None = None
    # Its effects are outside the database (an HTTP call): when another delivery of its
    # batch fails, its successful run is kept rather than repeated (see the relay).
    external: bool = False
    # `handle` takes a list of events and returns, for each in order, its outcome (a dict
    # or None) or the exception it failed with: one call per claim of its deliveries (a
    # broker bridge publishes them together and waits for all confirms at once). Its
    # effects are outside the database.
    batch: bool = False

    def wants(self, event_type: str) -> bool:
        return event_type_matches(self.event_types, event_type)

    @property
    def attempts_allowed(self) -> int:
        return self.max_attempts or settings.EVENTS_MAX_ATTEMPTS


@dataclass(frozen=True)
class SubscriberFamily:
    """Subscribers that exist at run time, one per key (a webhook endpoint), named
    `<prefix>:<key>`. Nothing subscribes them at append time: whoever fans events out to
    them writes their deliveries (services.deliveries_add). `handle(event, key)`."""

    prefix: str
    handle: Callable
    max_attempts: Callable[[], int]
    external: bool = False
    batch: bool = False


@dataclass
class PeriodicJob:
    name: str
    every_seconds: Callable[[], float]
    run: Callable[[], int]
    last_run: float = 0.0


class Projection:
    """A read model kept up to date from events, and rebuilt from the log.

    Its `apply` must be idempotent (typically INSERT ... ON CONFLICT DO NOTHING keyed by
    the event id), so a redelivery, a replay or a rebuild running beside the relay never
    counts an event twice."""

    name: str
    event_types: tuple[EventType | str, ...]

    def apply(self, event) -> None:
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


def _type_names(event_types: Iterable[EventType | str]) -> tuple[str, ...]:
    return tuple(t.name if isinstance(t, EventType) else t for t in event_types)


class Registry:
    def __init__(self) -> None:
        self._event_types: dict[str, EventType] = {}
        self._subscribers: dict[str, Subscriber] = {}
        self._subscribers_of: dict[str, tuple[str, ...]] = {}
        self._projections: dict[str, Projection] = {}
        self._jobs: dict[str, PeriodicJob] = {}
        self._sealed_readers: list[Callable[[], object]] = []
        self._families: dict[str, SubscriberFamily] = {}

    # --- event types and their contracts -------------------------------------------------

    def declare(
        self,
        name: str,
        *,
        aggregate_type: str,
        public: type[PublicPayload] | None,
        example: dict,
        version: int = 1,
        live: Live | None = None,
        description: str = "",
    ) -> EventType:
        """Declare the event type `name` (see contracts.EventType); returns it."""
        if not EVENT_TYPE_PATTERN.match(name):
            raise ValueError(f"{name!r} is not an event type such as 'orders.order.placed'")
        event_type = EventType(
            name=name, version=version, aggregate_type=aggregate_type, public=public,
            example=example, live=live, description=description,
        )  # fmt: skip
        declared = self._event_types.setdefault(name, event_type)
        if declared != event_type:
            raise ValueError(f"event type {name!r} is declared twice")
        return declared

    def event_type(self, name: str) -> EventType | None:
        return self._event_types.get(name)

    def event_types(self) -> list[EventType]:
        return sorted(self._event_types.values(), key=lambda event_type: event_type.name)

    # --- subscribers of the outbox ---------------------------------------------------------

    def subscriber(
        self,
        name: str,
        *,
        event_types: Iterable[EventType | str],
        max_attempts: int | None = None,
        alone: bool = False,
        batch: bool = False,
        prelock: Callable[[list], None] | None = None,
    ):
        """Declare a function as the subscriber `name` of `event_types`.

        The function receives the Event and must be idempotent in its external effects; its
        database writes commit together with the processed marker, so they happen once.
        """

        def register(handle: Callable) -> Callable:
            if name in self._subscribers and self._subscribers[name].handle != handle:
                raise ValueError(f"subscriber {name!r} is declared twice")
            if prelock is not None and (alone or batch):
                raise ValueError(f"subscriber {name!r}: prelock is for batched steps")
            self._subscribers[name] = Subscriber(
                name, _type_names(event_types), handle, max_attempts, alone,
                external=batch, batch=batch, prelock=prelock,
            )  # fmt: skip
            self._subscribers_of.clear()
            return handle

        return register

    def unregister(self, name: str) -> None:
        self._subscribers.pop(name, None)
        self._subscribers_of.clear()

    def subscribers_of(self, event_type: str) -> tuple[str, ...]:
        """The names of the subscribers an event of `event_type` is delivered to."""
        names = self._subscribers_of.get(event_type)
        if names is None:
            names = tuple(
                sorted(name for name, sub in self._subscribers.items() if sub.wants(event_type))
            )
            self._subscribers_of[event_type] = names
        return names

    def get_subscriber(self, name: str) -> Subscriber | None:
        subscriber = self._subscribers.get(name)
        if subscriber is None and ":" in name:
            prefix, key = name.split(":", 1)
            family = self._families.get(prefix)
            if family is not None:
                subscriber = Subscriber(
                    name, (), functools.partial(family.handle, key=key), family.max_attempts(),
                    external=family.external or family.batch, batch=family.batch,
                )  # fmt: skip
        return subscriber

    def subscriber_family(
        self,
        prefix: str,
        *,
        max_attempts: Callable[[], int],
        external: bool = False,
        batch: bool = False,
    ):
        """Declare `handle(event, key)` (with `batch`: `handle(events, key)`, see
        Subscriber.batch) as the subscribers `<prefix>:<key>`."""
        if ":" in prefix or prefix in self._families:
            raise ValueError(f"subscriber family {prefix!r} is declared twice or misnamed")

        def register(handle: Callable) -> Callable:
            self._families[prefix] = SubscriberFamily(prefix, handle, max_attempts, external, batch)
            return handle

        return register

    def family_of(self, name: str) -> str:
        """The metric label of subscriber `name`: its family's prefix for run-time ones,
        so that labels never take values callers choose."""
        prefix = name.split(":", 1)[0]
        return prefix if ":" in name and prefix in self._families else name

    def all_subscribers(self) -> list[Subscriber]:
        return sorted(self._subscribers.values(), key=lambda sub: sub.name)

    # --- projections ---------------------------------------------------------------------

    def projection(self, projection_class: type[Projection]) -> type[Projection]:
        """Class decorator: the projection becomes the subscriber `projection.<name>`."""
        projection = projection_class()
        self._projections[projection.name] = projection
        self.subscriber(projection.subscriber_name, event_types=projection.event_types)(
            projection.apply
        )
        return projection_class

    def get_projection(self, name: str) -> Projection | None:
        return self._projections.get(name)

    def all_projections(self) -> list[Projection]:
        return sorted(self._projections.values(), key=lambda projection: projection.name)

    # --- periodic jobs -------------------------------------------------------------------

    def periodic(self, name: str, *, every_seconds: Callable[[], float]):
        """Declare `function` (returning how much it did) as a job the worker runs every
        `every_seconds()` (a callable, so that settings are read when the job runs)."""

        def register(function: Callable[[], int]) -> Callable[[], int]:
            self._jobs[name] = PeriodicJob(name, every_seconds, function)
            return function

        return register

    def periodic_job(self, name: str) -> PeriodicJob | None:
        return self._jobs.get(name)

    def run_due_jobs(self, *, now: float | None = None) -> None:
        """Run each job whose interval has passed; a failing job is logged and tried again
        at its next turn."""
        now = time.monotonic() if now is None else now
        for job in self._jobs.values():
            try:
                if job.last_run and now - job.last_run < job.every_seconds():
                    continue
                job.last_run = now
                done = job.run()
            except Exception:
                logger.exception("worker.periodic_job_failed", job=job.name)
                continue
            if done:
                logger.info("worker.periodic_job_done", job=job.name, count=done)

    # --- readers of the sealed log -------------------------------------------------------

    def sealed_reader(self, reader: Callable[[], object]) -> Callable[[], object]:
        """Declare `reader` to run after every seal pass: it follows the log in commit order
        (positions are final once given)."""
        if reader not in self._sealed_readers:
            self._sealed_readers.append(reader)
        return reader

    def sealed_readers(self) -> list[Callable[[], object]]:
        return list(self._sealed_readers)


registry = Registry()
