"""The relay: hands committed events to their subscribers, once in effect.

A batch of due deliveries is claimed with FOR UPDATE SKIP LOCKED (so any number of workers
share the work), and everything a batch does commits together: the subscribers' own writes,
their processed markers and the deliveries' new status. A worker that dies mid-batch leaves
the batch as it was, to be claimed again.

Subscribers run without a savepoint each (savepoints cost round trips per delivery); if one
raises, the batch is rolled back and run again with a savepoint per delivery, so only the
failing delivery is retried. External effects (a websocket message) may therefore happen
more than once; writes to the database happen once.
"""

import json
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import Event
from apps.core.context import handling_event
from apps.events import metrics
from apps.events.registry import get_subscriber

logger = structlog.get_logger("fusionops.relay")

_EVENT_COLUMNS = (
    "id", "seq", "type", "version", "aggregate_type", "aggregate_id", "actor",
    "correlation_id", "causation_id", "occurred_at", "recorded_at", "payload", "signature",
)  # fmt: skip

# `%s::bigint[]`: NULL for any due delivery, or the ids of a batch being run again.
_CLAIM = """
SELECT d.id, d.subscriber, d.attempts, d.next_attempt_at,
       e.id, e.seq, e.type, e.version, e.aggregate_type, e.aggregate_id, e.actor,
       e.correlation_id, e.causation_id, e.occurred_at, e.recorded_at, e.payload, e.signature
FROM events_delivery d
JOIN audit_event e ON e.id = d.event_id AND e.recorded_at = d.event_recorded_at
WHERE d.status = 'pending' AND d.next_attempt_at <= clock_timestamp()
  AND (%s::bigint[] IS NULL OR d.id = ANY(%s::bigint[]))
ORDER BY d.next_attempt_at, d.id
LIMIT %s
FOR UPDATE OF d SKIP LOCKED
"""

_MARK_PROCESSED = """
INSERT INTO events_processedmarker (subscriber, event_id, processed_at)
SELECT subscriber, event_id, now() FROM unnest(%s::text[], %s::uuid[]) AS m(subscriber, event_id)
ON CONFLICT DO NOTHING
RETURNING subscriber, event_id
"""

_SETTLE_DONE = """
UPDATE events_delivery
SET status = 'done', attempts = attempts + 1, last_error = '', completed_at = now(),
    updated_at = now()
WHERE id = ANY(%s)
"""

_SETTLE_FAILED = """
UPDATE events_delivery AS d
SET status = f.status, attempts = d.attempts + 1, next_attempt_at = f.next_attempt_at,
    last_error = f.error, updated_at = now()
FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::text[])
    AS f(id, status, next_attempt_at, error)
WHERE d.id = f.id
"""


class ChaosFailure(Exception):
    """A delivery attempt failed on purpose (FUSIONOPS_CHAOS_FAILURE_RATE)."""


class _RunCarefully(Exception):
    """A subscriber raised in the fast path: redo the batch with a savepoint each."""


@dataclass
class Claimed:
    delivery_id: int
    subscriber: str
    attempts: int
    due_at: object
    event: Event


@dataclass
class BatchResult:
    claimed: int = 0
    done: int = 0
    duplicates: int = 0
    retried: int = 0
    dead: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt `attempt + 1`: base * factor^(attempt-1), ±25% jitter so that
    deliveries failing together do not all come back together."""
    nominal = settings.EVENTS_BACKOFF_BASE_SECONDS * settings.EVENTS_BACKOFF_FACTOR ** (attempt - 1)
    jitter = (rng or random).uniform(0.75, 1.25)
    return timedelta(seconds=nominal * jitter)


def _claim(batch_size: int, only_ids=None) -> list[Claimed]:
    only = list(only_ids) if only_ids is not None else None
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [only, only, batch_size])
        rows = cursor.fetchall()
    claimed = []
    for row in rows:
        event = Event(**dict(zip(_EVENT_COLUMNS, row[4:], strict=True)))
        claimed.append(Claimed(row[0], row[1], row[2], row[3], event))
    return claimed


def _decode_json_fields(event: Event) -> None:
    # Django's PostgreSQL backend loads jsonb as text (its JSONField decodes it).
    for name in ("actor", "payload"):
        value = getattr(event, name)
        if isinstance(value, str):
            setattr(event, name, json.loads(value))


def _run_subscriber(item: Claimed) -> None:
    subscriber = get_subscriber(item.subscriber)
    if subscriber is None:
        raise LookupError(f"no subscriber named {item.subscriber!r} is installed")
    with handling_event(event_id=str(item.event.id), correlation_id=item.event.correlation_id):
        subscriber.handle(item.event)


def _mark_processed(items: list[Claimed]) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_PROCESSED,
            [[item.subscriber for item in items], [item.event.id for item in items]],
        )
        return {(subscriber, str(event_id)) for subscriber, event_id in cursor.fetchall()}


def _settle(result: BatchResult, done: list[Claimed], failed: list[tuple[Claimed, str]]):
    now = timezone.now()
    with connection.cursor() as cursor:
        if done:
            cursor.execute(_SETTLE_DONE, [[item.delivery_id for item in done]])
        if failed:
            ids, statuses, next_attempts, errors = [], [], [], []
            for item, error in failed:
                attempt = item.attempts + 1
                subscriber = get_subscriber(item.subscriber)
                allowed = (
                    subscriber.attempts_allowed if subscriber else settings.EVENTS_MAX_ATTEMPTS
                )
                dead = attempt >= allowed
                ids.append(item.delivery_id)
                statuses.append("dead" if dead else "pending")
                next_attempts.append(now if dead else now + backoff_delay(attempt))
                errors.append(error[:2000])
                outcome = "dead" if dead else "retry"
                metrics.deliveries.labels(subscriber=item.subscriber, outcome=outcome).inc()
                if dead:
                    result.dead += 1
                    logger.warning(
                        "relay.dead_letter",
                        delivery=item.delivery_id,
                        subscriber=item.subscriber,
                        event_type=item.event.type,
                        error=error,
                    )
                else:
                    result.retried += 1
                result.failures.append((item.delivery_id, error))
            cursor.execute(_SETTLE_FAILED, [ids, statuses, next_attempts, errors])
    for item in done:
        metrics.deliveries.labels(subscriber=item.subscriber, outcome="done").inc()


def _process(items: list[Claimed], chaos: set[int], *, careful: bool, result: BatchResult):
    failed = [(item, "ChaosFailure: injected by FUSIONOPS_CHAOS_FAILURE_RATE")
              for item in items if item.delivery_id in chaos]  # fmt: skip
    runnable = [item for item in items if item.delivery_id not in chaos]
    done = []
    if careful:
        for item in runnable:
            try:
                with transaction.atomic():  # a savepoint: a failure undoes only this one
                    if _mark_processed([item]):
                        _run_subscriber(item)
                    else:
                        result.duplicates += 1
                done.append(item)
            except Exception as exc:
                failed.append((item, f"{type(exc).__name__}: {exc}"))
    else:
        new = _mark_processed(runnable) if runnable else set()
        for item in runnable:
            if (item.subscriber, str(item.event.id)) in new:
                try:
                    _run_subscriber(item)
                except Exception as exc:
                    raise _RunCarefully from exc
            else:
                result.duplicates += 1
            done.append(item)
    result.done += len(done)
    _settle(result, done, failed)


def relay_batch(*, batch_size: int | None = None, chaos_rate: float | None = None) -> BatchResult:
    """Claim up to `batch_size` due deliveries, run their subscribers, settle them."""
    batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
    rate = settings.FUSIONOPS_CHAOS_FAILURE_RATE if chaos_rate is None else chaos_rate
    started = time.perf_counter()
    result = BatchResult()
    try:
        with transaction.atomic():
            items = _claim(batch_size)
            for item in items:
                _decode_json_fields(item.event)
            chaos = {
                item.delivery_id
                for item in items
                if rate and random.random() < rate  # noqa: S311  fault injection, not crypto
            }
            result.claimed = len(items)
            if items:
                _process(items, chaos, careful=False, result=result)
    except _RunCarefully:
        result = BatchResult()
        with transaction.atomic():
            # The same deliveries (unless another worker took them meanwhile).
            items = _claim(batch_size, only_ids=[item.delivery_id for item in items])
            for item in items:
                _decode_json_fields(item.event)
            result.claimed = len(items)
            _process(items, chaos, careful=True, result=result)
    if result.claimed:
        metrics.relay_batch_seconds.observe(time.perf_counter() - started)
    return result
