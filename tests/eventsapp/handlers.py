import time

from django.core.cache import cache

from apps.eventlog.registry import registry
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.eventsapp.models import Effect, Note


@registry.subscriber("testing.recorder", event_types=["testing.*"])
def record(event):
    Effect.objects.create(subscriber="testing.recorder", event_id=event.id, event_type=event.type)
    if event.payload.get("sleep_ms"):
        time.sleep(event.payload["sleep_ms"] / 1000)


@registry.subscriber("testing.always_fails", event_types=["failing.*"])
def always_fail(event):
    # Its write must be undone with the failure.
    Effect.objects.create(
        subscriber="testing.always_fails", event_id=event.id, event_type=event.type
    )
    raise RuntimeError(f"cannot handle {event.type}")


@registry.subscriber("testing.flaky", event_types=["flaky.*"])
def fail_at_first(event):
    """Fails the first `fail_times` attempts (counted in Redis, which no rollback undoes)."""
    attempt = cache.get_or_set(f"flaky:{event.id}", 0)
    cache.incr(f"flaky:{event.id}")
    if attempt < event.payload.get("fail_times", 0):
        raise RuntimeError(f"attempt {attempt + 1} fails on purpose")
    Effect.objects.create(subscriber="testing.flaky", event_id=event.id, event_type=event.type)


@registry.subscriber("testing.chain", event_types=["chain.started"])
def emit_follow_up(event):
    event_emit(
        declared("chain.continued"),
        aggregate_id=event.aggregate_id,
        payload={},
        actor=None,
    )


@registry.subscriber("testing.fk_violator", event_types=["poison.*"])
def break_a_foreign_key(event):
    """Its write violates a (deferred) foreign key: PostgreSQL would only say so at COMMIT."""
    Note.objects.create(user_id=2_000_000_000)
