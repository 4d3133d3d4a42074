"""Subscribers: declared in each app's handlers.py, looked up by event type."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings


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

    def wants(self, event_type: str) -> bool:
        return any(
            pattern == "*"
            or pattern == event_type
            or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
            for pattern in self.event_types
        )

    @property
    def attempts_allowed(self) -> int:
        return self.max_attempts or settings.EVENTS_MAX_ATTEMPTS


_subscribers: dict[str, Subscriber] = {}


def subscriber(
    name: str, *, event_types: list[str] | tuple[str, ...], max_attempts=None, alone=False
):
    """Declare a function as the subscriber `name` of `event_types`.

    The function receives the Event and must be idempotent in its external effects; its
    database writes commit together with the processed marker, so they happen once.
    """

    def register(handle: Callable) -> Callable:
        if name in _subscribers and _subscribers[name].handle != handle:
            raise ValueError(f"subscriber {name!r} is declared twice")
        _subscribers[name] = Subscriber(name, tuple(event_types), handle, max_attempts, alone)
        subscribers_of.cache_clear()
        return handle

    return register


def unregister(name: str) -> None:
    _subscribers.pop(name, None)
    subscribers_of.cache_clear()


@functools.cache
def subscribers_of(event_type: str) -> tuple[str, ...]:
    return tuple(sorted(name for name, sub in _subscribers.items() if sub.wants(event_type)))


def get_subscriber(name: str) -> Subscriber | None:
    return _subscribers.get(name)


def all_subscribers() -> list[Subscriber]:
    return sorted(_subscribers.values(), key=lambda sub: sub.name)
