"""The relay hands each committed event to each subscriber once in effect, retries with
backoff, and turns the last failure into a dead letter."""

import random
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.eventlog.models import Delivery, Event, ProcessedMarker
from apps.eventlog.relay import backoff_delay, relay_batch
from apps.eventlog.services import event_emit
from apps.eventlog.worker import RelayWorker
from tests.eventsapp.events import declared
from tests.eventsapp.models import Effect

pytestmark = pytest.mark.django_db


def emit(type="testing.thing.happened", **payload):
    with transaction.atomic():
        return event_emit(
            declared(type),
            aggregate_id=uuid.uuid4().hex,
            payload=payload,
            actor=None,
        )


def delivery(recorded, subscriber):
    return Delivery.objects.get(event_id=recorded.id, subscriber=subscriber)


def make_due(recorded):
    Delivery.objects.filter(event_id=recorded.id).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_committed_event_reaches_its_subscriber_once():
    recorded = emit()
    result = relay_batch()
    assert result.done >= 1
    assert Effect.objects.filter(event_id=recorded.id).count() == 1
    settled = delivery(recorded, "testing.recorder")
    assert (settled.status, settled.attempts, settled.completed_at is not None) == ("done", 1, True)
    assert ProcessedMarker.objects.filter(
        subscriber="testing.recorder", event_id=recorded.id
    ).exists()
    assert relay_batch().claimed == 0


def test_a_redelivered_event_is_a_no_op():
    recorded = emit()
    relay_batch()
    Delivery.objects.filter(event_id=recorded.id).update(status="pending")
    make_due(recorded)
    result = relay_batch()
    assert result.duplicates == 1
    assert Effect.objects.filter(event_id=recorded.id).count() == 1
    assert delivery(recorded, "testing.recorder").status == "done"


def test_a_failure_is_retried_after_a_backoff_and_its_writes_are_undone():
    recorded = emit("failing.thing.happened")
    before = timezone.now()
    relay_batch()
    failed = delivery(recorded, "testing.always_fails")
    assert failed.status == "pending"
    assert failed.attempts == 1
    assert "RuntimeError: cannot handle failing.thing.happened" in failed.last_error
    assert before + timedelta(seconds=0.75) <= failed.next_attempt_at
    assert failed.next_attempt_at <= timezone.now() + timedelta(seconds=1.25)
    assert not Effect.objects.filter(event_id=recorded.id).exists()
    assert not ProcessedMarker.objects.filter(event_id=recorded.id).exists()
    assert relay_batch().claimed == 0  # not due yet


def test_the_backoff_doubles_from_one_second_with_jitter():
    rng = random.Random(7)
    for attempt, nominal in [(1, 1), (2, 2), (3, 4), (4, 8)]:
        delays = [backoff_delay(attempt, rng=rng).total_seconds() for _ in range(200)]
        assert nominal * 0.75 <= min(delays) and max(delays) <= nominal * 1.25
        assert max(delays) - min(delays) > nominal * 0.3  # jitter spreads retries out


def test_the_backoff_is_configurable(settings):
    settings.EVENTS_BACKOFF_BASE_SECONDS = 0.5
    settings.EVENTS_BACKOFF_FACTOR = 3
    delay = backoff_delay(3, rng=random.Random(1)).total_seconds()
    assert 0.5 * 9 * 0.75 <= delay <= 0.5 * 9 * 1.25


def test_the_last_failed_attempt_makes_a_dead_letter(settings):
    settings.EVENTS_MAX_ATTEMPTS = 3
    recorded = emit("failing.thing.happened")
    for _ in range(3):
        make_due(recorded)
        relay_batch()
    dead = delivery(recorded, "testing.always_fails")
    assert (dead.status, dead.attempts) == ("dead", 3)
    assert "cannot handle" in dead.last_error
    make_due(recorded)
    assert relay_batch().claimed == 0


def test_a_flaky_subscriber_succeeds_on_a_later_attempt():
    recorded = emit("flaky.thing.happened", fail_times=2)
    for _ in range(3):
        make_due(recorded)
        relay_batch()
    settled = delivery(recorded, "testing.flaky")
    # A failing batch runs again with a savepoint each, so external state (the flaky
    # counter lives in Redis) may see a run twice; the database sees one effect.
    assert settled.status == "done"
    assert settled.attempts <= 3
    assert Effect.objects.filter(event_id=recorded.id, subscriber="testing.flaky").count() == 1


def test_one_failing_subscriber_does_not_hold_back_the_rest_of_the_batch():
    good = [emit() for _ in range(3)]
    bad = emit("failing.thing.happened")
    relay_batch()
    assert all(delivery(r, "testing.recorder").status == "done" for r in good)
    assert Effect.objects.filter(event_id__in=[r.id for r in good]).count() == 3
    assert delivery(bad, "testing.always_fails").status == "pending"


def test_chaos_fails_attempts_before_the_subscriber_runs():
    recorded = emit()
    result = relay_batch(chaos_rate=1.0)
    assert result.retried >= 1
    failed = delivery(recorded, "testing.recorder")
    assert "ChaosFailure" in failed.last_error
    assert not Effect.objects.filter(event_id=recorded.id).exists()
    make_due(recorded)
    relay_batch(chaos_rate=0.0)
    assert delivery(recorded, "testing.recorder").status == "done"


def test_a_delivery_to_an_uninstalled_subscriber_fails_with_a_reason():
    recorded = emit()
    Delivery.objects.filter(event_id=recorded.id).update(subscriber="gone.away")
    relay_batch()
    assert "no subscriber named 'gone.away'" in delivery(recorded, "gone.away").last_error


def test_what_a_subscriber_emits_is_caused_by_and_correlated_with_its_event():
    with transaction.atomic():
        started = event_emit(
            declared("chain.started"),
            aggregate_id="1",
            payload={},
            actor=None,
        )
    relay_batch()
    follow_up = Event.objects.get(type="chain.continued", aggregate_id="1")
    original = Event.objects.get(id=started.id)
    assert follow_up.causation_id == started.id
    assert follow_up.correlation_id == original.correlation_id
    assert follow_up.actor["auth"] == "system"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_relays_what_is_due_and_stops_with_once():
    recorded = emit()
    RelayWorker(batch_size=10).run(once=True)
    assert delivery(recorded, "testing.recorder").status == "done"


def test_settled_deliveries_are_purged_after_the_retention_but_dead_letters_stay(settings):
    from apps.eventlog.services import deliveries_purge

    settings.EVENTS_MAX_ATTEMPTS = 1
    settled, dead = emit(), emit("failing.thing.happened")
    relay_batch()
    long_ago = timezone.now() - timedelta(days=30)
    Delivery.objects.filter(event_id__in=[settled.id, dead.id]).update(
        completed_at=long_ago, updated_at=long_ago
    )
    ProcessedMarker.objects.filter(event_id=settled.id).update(processed_at=long_ago)
    assert deliveries_purge() >= 1
    assert not Delivery.objects.filter(event_id=settled.id).exists()
    assert not ProcessedMarker.objects.filter(event_id=settled.id).exists()
    assert delivery(dead, "testing.always_fails").status == "dead"
    assert Event.objects.filter(id=settled.id).exists()  # the log keeps everything


def test_a_deferred_constraint_violation_fails_only_its_own_delivery():
    good = emit()
    poison = emit("poison.thing.happened")
    relay_batch()
    assert delivery(good, "testing.recorder").status == "done"
    failed = delivery(poison, "testing.fk_violator")
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "IntegrityError" in failed.last_error


def test_a_delivery_whose_worker_keeps_dying_ends_as_a_dead_letter(settings):
    from apps.eventlog.relay import _claim

    settings.EVENTS_MAX_ATTEMPTS = 2
    recorded = emit()
    for _ in range(2):  # claimed, and the worker dies before reporting back
        assert [c.delivery_id for c in _claim(10) if c.event.id == recorded.id]
        make_due(recorded)
    relay_batch()
    dead = delivery(recorded, "testing.recorder")
    assert (dead.status, dead.attempts) == ("dead", 3)
    assert "stopped or timed out" in dead.last_error
    assert not Effect.objects.filter(event_id=recorded.id).exists()


def test_the_backoff_is_capped_at_an_hour():
    assert backoff_delay(200) <= timedelta(hours=1)


def test_the_worker_loop_survives_an_error(monkeypatch, log_lines):
    from apps.eventlog import worker as worker_module

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker_module, "relay_batch", broken)
    RelayWorker(batch_size=10).run(once=True)  # logs instead of raising
    assert any(line["event"] == "worker.loop_failed" for line in log_lines)
