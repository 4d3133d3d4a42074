"""The relay: hands committed events to their subscribers, once in effect.

A batch takes two transactions:

1. The claim: due deliveries are locked with FOR UPDATE SKIP LOCKED (so any number of
   workers share the work), each is given its attempt and a lease (it is not due again
   until the lease ends), and this commits at once. A delivery that kills or hangs its
   worker therefore still uses up its attempts, and ends as a dead letter instead of
   stopping the relay.
2. The work: the subscribers run, and their writes, their processed markers and the
   deliveries' outcomes commit together. A redelivery finds the marker and does nothing.

Subscribers run without a savepoint each (savepoints cost round trips per delivery); if one
raises, the work is rolled back and run again with a savepoint per delivery, so only the
failing delivery is retried. Subscribers declared `external` (their effects are outside the
database: a webhook's POST) are not run again then: what they did (succeeded, or failed) is
settled as it was. Other external effects may happen more than once; writes to the
database happen once.

Steps that lock rows other steps lock too (orders, stock levels) either run alone, a
transaction each, or declare a `prelock` that takes all the locks of a transaction's steps
in one order before the first runs: then transactions of several workers queue behind each
other instead of deadlocking.

A subscriber may describe its attempt (a webhook's response code and duration): what it
returns, or the `outcome` of what it raises, is kept as the delivery's last outcome.
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

from apps.eventlog import metrics
from apps.eventlog.models import Event
from apps.eventlog.registry import registry
from apps.eventlog.selectors import event_row_fields
from apps.platform import tracing
from apps.platform.context import handling_event

logger = structlog.get_logger("fusionops.relay")

MAX_BACKOFF = timedelta(hours=1)

# Locks the due ids first (an index range scan that stops at the limit), then reads their
# events. The time is a parameter, not now(): a bound value lets the index serve the range.
_CLAIM = """
WITH due AS (
    SELECT id FROM events_delivery
    WHERE status = 'pending' AND next_attempt_at <= %(now)s
    ORDER BY next_attempt_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), leased AS (
    UPDATE events_delivery AS d
    SET attempts = d.attempts + 1, next_attempt_at = %(lease_until)s, updated_at = %(now)s
    FROM due WHERE d.id = due.id
    RETURNING d.id, d.subscriber, d.attempts, d.event_id, d.event_recorded_at
)
SELECT leased.id, leased.subscriber, leased.attempts,
       -- the event, in the order of apps.eventlog.selectors.EVENT_ROW_COLUMNS
       e.id, e.type, e.version, e.aggregate_type, e.aggregate_id, e.actor, e.correlation_id,
       e.causation_id, e.occurred_at, e.recorded_at, e.payload, e.seq, e.signature, e.key_id,
       e.traceparent
FROM leased
LEFT JOIN audit_event e ON e.id = leased.event_id AND e.recorded_at = leased.event_recorded_at
ORDER BY leased.id
"""

_MARK_PROCESSED = """
INSERT INTO events_processedmarker (subscriber, event_id, processed_at)
SELECT subscriber, event_id, now() FROM unnest(%s::text[], %s::uuid[]) AS m(subscriber, event_id)
ON CONFLICT DO NOTHING
RETURNING subscriber, event_id
"""

_SETTLE_DONE = """
UPDATE events_delivery
SET status = 'done', last_error = '', completed_at = now(), updated_at = now()
WHERE id = ANY(%s)
"""

_SETTLE_DONE_WITH_OUTCOMES = """
UPDATE events_delivery AS d
SET status = 'done', last_error = '', last_outcome = f.outcome, completed_at = now(),
    updated_at = now()
FROM unnest(%s::bigint[], %s::jsonb[]) AS f(id, outcome)
WHERE d.id = f.id
"""

_SETTLE_FAILED = """
UPDATE events_delivery AS d
SET status = f.status, next_attempt_at = f.next_attempt_at, last_error = f.error,
    last_outcome = coalesce(f.outcome, d.last_outcome), updated_at = now()
FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::text[], %s::jsonb[])
    AS f(id, status, next_attempt_at, error, outcome)
WHERE d.id = f.id
"""


class ChaosFailure(Exception):
    """A delivery attempt failed on purpose (FUSIONOPS_CHAOS_FAILURE_RATE)."""


class _RunCarefully(Exception):
    """A subscriber raised in the fast path: redo the work with a savepoint each. Carries
    what external subscribers did already (not to be done again): the outcomes of those
    that succeeded, and the failure of the one that raised, if external."""

    def __init__(
        self, succeeded: dict[int, dict | None], failed: dict[int, tuple[str, dict | None]]
    ):
        super().__init__()
        self.succeeded = succeeded
        self.failed = failed


@dataclass
class Claimed:
    delivery_id: int
    subscriber: str
    attempt: int
    event: Event
    outcome: dict | None = None


@dataclass
class BatchResult:
    claimed: int = 0
    done: int = 0
    duplicates: int = 0
    retried: int = 0
    dead: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: "BatchResult") -> None:
        self.done += other.done
        self.duplicates += other.duplicates
        self.retried += other.retried
        self.dead += other.dead
        self.failures += other.failures


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt `attempt + 1`: base * factor^(attempt-1), ±25% jitter so that
    deliveries failing together do not all come back together; at most an hour."""
    exponent = min(attempt - 1, 64)  # far beyond the cap already; keeps the float finite
    nominal = settings.EVENTS_BACKOFF_BASE_SECONDS * settings.EVENTS_BACKOFF_FACTOR**exponent
    jitter = (rng or random).uniform(0.75, 1.25)
    return timedelta(seconds=min(nominal * jitter, MAX_BACKOFF.total_seconds()))


def _attempts_allowed(subscriber_name: str) -> int:
    subscriber = registry.get_subscriber(subscriber_name)
    return subscriber.attempts_allowed if subscriber else settings.EVENTS_MAX_ATTEMPTS


def _printable(error: str) -> str:
    # A reason is stored as text: no NUL, no lone surrogates, bounded.
    return error.replace("\x00", "\\0").encode("utf-8", "replace").decode()[:2000]


def _claim(batch_size: int) -> list[Claimed]:
    """Lease up to `batch_size` due deliveries (committed at once, see the module doc)."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.EVENTS_RELAY_LEASE_SECONDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"now": now, "limit": batch_size, "lease_until": lease_until})
        rows = cursor.fetchall()
        claimed, exhausted, orphaned = [], [], []
        for row in rows:
            if row[3] is None:  # the event is gone from the log: nothing can be delivered
                orphaned.append(Claimed(row[0], row[1], row[2], Event(type="")))
                continue
            event = Event(**event_row_fields(row[3:-1]), traceparent=row[-1])
            item = Claimed(row[0], row[1], row[2], event)
            # Claimed again after its last attempt: that attempt never reported back.
            if item.attempt > _attempts_allowed(item.subscriber):
                exhausted.append(item)
            else:
                claimed.append(item)
        if exhausted or orphaned:
            _settle(
                BatchResult(),
                [],
                [(i, "the worker stopped or timed out during the last attempt") for i in exhausted]
                + [(i, "the event is missing from the audit log") for i in orphaned],
                force_dead=True,
            )
    return claimed


def _is_external(item: Claimed) -> bool:
    subscriber = registry.get_subscriber(item.subscriber)
    return subscriber is not None and subscriber.external


def _run_subscriber(item: Claimed) -> None:
    subscriber = registry.get_subscriber(item.subscriber)
    if subscriber is None:
        raise LookupError(f"no subscriber named {item.subscriber!r} is installed")
    started = time.perf_counter()
    try:
        with (
            tracing.continued(
                item.event.traceparent,
                f"process {item.subscriber}",
                attributes={
                    "messaging.system": "fusionops.outbox",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": item.subscriber,
                    "messaging.message.id": str(item.event.id),
                    "fusionops.event.type": item.event.type,
                    "fusionops.delivery.id": item.delivery_id,
                    "fusionops.delivery.attempt": item.attempt,
                    "fusionops.correlation_id": item.event.correlation_id,
                },
            ),
            handling_event(event_id=str(item.event.id), correlation_id=item.event.correlation_id),
        ):
            outcome = subscriber.handle(item.event)
        item.outcome = outcome if isinstance(outcome, dict) else None
    except Exception as exc:
        item.outcome = getattr(exc, "outcome", None)
        raise
    finally:
        # Each subscriber's run, failed ones included: the saga's steps by step.
        metrics.subscriber_seconds.labels(subscriber=registry.family_of(item.subscriber)).observe(
            time.perf_counter() - started
        )


def _prelock(items: list[Claimed]) -> None:
    """Take the locks the transaction's steps declared (Subscriber.prelock), one call per
    prelock function with all of its events."""
    by_prelock: dict = {}
    for item in items:
        subscriber = registry.get_subscriber(item.subscriber)
        if subscriber is not None and subscriber.prelock is not None:
            by_prelock.setdefault(subscriber.prelock, []).append(item.event)
    for prelock, events in by_prelock.items():
        prelock(events)


def _mark_processed(items: list[Claimed]) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_PROCESSED,
            [[item.subscriber for item in items], [item.event.id for item in items]],
        )
        return {(subscriber, str(event_id)) for subscriber, event_id in cursor.fetchall()}


def _settle(result, done, failed, *, force_dead=False) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        described = [item for item in done if item.outcome is not None]
        if described:
            cursor.execute(
                _SETTLE_DONE_WITH_OUTCOMES,
                [[item.delivery_id for item in described],
                 [json.dumps(item.outcome) for item in described]],
            )  # fmt: skip
        plain = [item.delivery_id for item in done if item.outcome is None]
        if plain:
            cursor.execute(_SETTLE_DONE, [plain])
        if failed:
            ids, statuses, next_attempts, errors, outcomes = [], [], [], [], []
            for item, error in failed:
                dead = force_dead or item.attempt >= _attempts_allowed(item.subscriber)
                ids.append(item.delivery_id)
                statuses.append("dead" if dead else "pending")
                next_attempts.append(now if dead else now + backoff_delay(item.attempt))
                errors.append(_printable(error))
                outcomes.append(None if item.outcome is None else json.dumps(item.outcome))
                outcome = "dead" if dead else "retry"
                label = registry.family_of(item.subscriber)
                metrics.deliveries.labels(subscriber=label, outcome=outcome).inc()
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
            cursor.execute(_SETTLE_FAILED, [ids, statuses, next_attempts, errors, outcomes])
    for item in done:
        metrics.deliveries.labels(
            subscriber=registry.family_of(item.subscriber), outcome="done"
        ).inc()


def _work(
    items: list[Claimed],
    chaos: set[int],
    *,
    careful: bool,
    rerun: _RunCarefully | None = None,
) -> BatchResult:
    result = BatchResult(claimed=len(items))
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are checked at each statement, inside the delivery that broke them,
        # not at COMMIT where no single delivery could be blamed.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SET LOCAL statement_timeout = %s", [f"{settings.EVENTS_RELAY_STATEMENT_TIMEOUT}s"]
        )
        failed = [(item, "ChaosFailure: injected by FUSIONOPS_CHAOS_FAILURE_RATE")
                  for item in items if item.delivery_id in chaos]  # fmt: skip
        runnable = [item for item in items if item.delivery_id not in chaos]
        done = []
        if careful:
            succeeded, external_failures = (rerun.succeeded, rerun.failed) if rerun else ({}, {})
            for item in runnable:
                if item.delivery_id in external_failures:  # its POST failed already
                    error, item.outcome = external_failures[item.delivery_id]
                    failed.append((item, error))
                    continue
                try:
                    with transaction.atomic():  # a savepoint: a failure undoes only this one
                        if not _mark_processed([item]):
                            result.duplicates += 1
                        elif item.delivery_id in succeeded:  # its POST was made already
                            item.outcome = succeeded[item.delivery_id]
                        else:
                            _run_subscriber(item)
                    done.append(item)
                except Exception as exc:
                    failed.append((item, f"{type(exc).__name__}: {exc}"))
        else:
            try:
                _prelock(runnable)
            except Exception as exc:
                # The careful run takes each step's own locks, a savepoint each.
                raise _RunCarefully({}, {}) from exc
            new = _mark_processed(runnable) if runnable else set()
            for item in runnable:
                if (item.subscriber, str(item.event.id)) in new:
                    try:
                        _run_subscriber(item)
                    except Exception as exc:
                        raise _RunCarefully(
                            {i.delivery_id: i.outcome for i in done if _is_external(i)},
                            {item.delivery_id: (f"{type(exc).__name__}: {exc}", item.outcome)}
                            if _is_external(item)
                            else {},
                        ) from exc
                else:
                    result.duplicates += 1
                done.append(item)
        result.done = len(done)
        _settle(result, done, failed)
    return result


def _work_batch(items: list[Claimed], chaos: set[int]) -> BatchResult:
    """The deliveries of one batch subscriber, handed over in one call. Its effects are
    outside the database, so a failure fails only its own delivery: the markers of the
    failed ones go, the rest commits."""
    result = BatchResult(claimed=len(items))
    subscriber = registry.get_subscriber(items[0].subscriber)
    with transaction.atomic():
        failed = [(item, "ChaosFailure: injected by FUSIONOPS_CHAOS_FAILURE_RATE")
                  for item in items if item.delivery_id in chaos]  # fmt: skip
        runnable = [item for item in items if item.delivery_id not in chaos]
        new = _mark_processed(runnable) if runnable else set()
        fresh = [item for item in runnable if (item.subscriber, str(item.event.id)) in new]
        result.duplicates = len(runnable) - len(fresh)
        fresh_ids = {item.delivery_id for item in fresh}
        done = [item for item in runnable if item.delivery_id not in fresh_ids]
        if fresh:
            started = time.perf_counter()
            try:
                outcomes = subscriber.handle([item.event for item in fresh])
            except Exception as exc:  # the whole call failed: every delivery of it did
                outcomes = [exc] * len(fresh)
            metrics.subscriber_seconds.labels(
                subscriber=registry.family_of(subscriber.name)
            ).observe(time.perf_counter() - started)
            unmarked = []
            for item, outcome in zip(fresh, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    item.outcome = getattr(outcome, "outcome", None)
                    failed.append((item, f"{type(outcome).__name__}: {outcome}"))
                    unmarked.append(item)
                else:
                    item.outcome = outcome
                    done.append(item)
            if unmarked:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "DELETE FROM events_processedmarker WHERE subscriber = %s"
                        " AND event_id = ANY(%s)",
                        [subscriber.name, [item.event.id for item in unmarked]],
                    )
        result.done = len(done)
        _settle(result, done, failed)
    return result


def _transactions(items: list[Claimed]) -> list[list[Claimed]]:
    """The claim cut into transactions: at most EVENTS_RELAY_TRANSACTION_SIZE deliveries
    each, subscribers declared `alone` one per transaction, and each batch subscriber's
    deliveries all together."""
    size = settings.EVENTS_RELAY_TRANSACTION_SIZE
    chunks: list[list[Claimed]] = []
    batched: list[Claimed] = []
    by_batch_subscriber: dict[str, list[Claimed]] = {}
    for item in items:
        subscriber = registry.get_subscriber(item.subscriber)
        if subscriber is not None and subscriber.batch:
            by_batch_subscriber.setdefault(subscriber.name, []).append(item)
            continue
        if subscriber is not None and subscriber.alone:
            chunks.append([item])
            continue
        batched.append(item)
        if len(batched) == size:
            chunks.append(batched)
            batched = []
    if batched:
        chunks.append(batched)
    return [*by_batch_subscriber.values(), *chunks]


def relay_batch(*, batch_size: int | None = None, chaos_rate: float | None = None) -> BatchResult:
    """Lease up to `batch_size` due deliveries, run their subscribers, settle them."""
    batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
    rate = settings.FUSIONOPS_CHAOS_FAILURE_RATE if chaos_rate is None else chaos_rate
    started = time.perf_counter()
    items = _claim(batch_size)
    if not items:
        return BatchResult()
    chaos = {
        item.delivery_id
        for item in items
        if rate and random.random() < rate  # noqa: S311  fault injection, not crypto
    }
    # A claim is worked in transactions of a bounded size: subscribers that lock rows
    # (stock levels, orders) hold them for a short while, not for the whole claim.
    result = BatchResult(claimed=len(items))
    for chunk in _transactions(items):
        subscriber = registry.get_subscriber(chunk[0].subscriber)
        if subscriber is not None and subscriber.batch:
            result.add(_work_batch(chunk, chaos))
            continue
        if len(chunk) == 1:
            # Alone: a failure must not run the step a second time in careful mode.
            part = _work(chunk, chaos, careful=True)
            result.add(part)
            continue
        try:
            part = _work(chunk, chaos, careful=False)
        except _RunCarefully as rerun:
            # Same deliveries: they are leased to this worker.
            part = _work(chunk, chaos, careful=True, rerun=rerun)
        result.add(part)
    metrics.relay_batch_seconds.observe(time.perf_counter() - started)
    return result
