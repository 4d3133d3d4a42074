"""Writes of the event log: appending an event (the one way an event is recorded),
ingesting integrations' events, the log's partitions, and the outbox's upkeep (replaying
dead letters, purging settled deliveries)."""

import functools
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.eventlog import signing
from apps.eventlog.choices import DeliveryStatus
from apps.eventlog.contracts import EVENT_TYPE_PATTERN, EventType
from apps.eventlog.events import DEAD_LETTER_REPLAYED
from apps.eventlog.exceptions import EventIdReused, NotADeadLetter
from apps.eventlog.metrics import events_appended
from apps.eventlog.models import Delivery, Event, ProcessedMarker, WorkerHeartbeat
from apps.eventlog.registry import registry
from apps.platform import tracing
from apps.platform.context import (
    current_auth_method,
    current_causation,
    current_client_request_id,
    current_request_id,
)
from apps.platform.validators import contains_unstorable_text, validate_storable_json

# The event and its outbox deliveries in one statement: one round trip per event. The actor
# and payload are taken from the signed canonical document, serialised once.
_APPEND = """
WITH document AS (
    SELECT %s::jsonb AS d
), event AS (
    INSERT INTO audit_event (
        id, type, version, aggregate_type, aggregate_id, actor, correlation_id,
        causation_id, occurred_at, recorded_at, payload, signature, key_id, traceparent
    )
    SELECT %s, %s, %s, %s, %s, d->'actor', %s, %s, %s, %s, d->'payload', %s, %s, %s
    FROM document
    RETURNING id, seq, recorded_at
), deliveries AS (
    INSERT INTO events_delivery (
        event_id, event_recorded_at, event_type, subscriber, status, attempts,
        next_attempt_at, last_error, created_at, updated_at
    )
    SELECT event.id, event.recorded_at, %s, subscriber, 'pending', 0, %s, '', %s, %s
    FROM event, unnest(%s::text[]) AS subscriber
)
SELECT seq FROM event
"""
# As the psycopg instrumentation describes the statements it sees.
_APPEND_SPAN_ATTRIBUTES = {
    "db.system": "postgresql",
    "db.operation": "INSERT",
    "db.sql.table": "audit_event",
    "db.statement": _APPEND,
}


def jsonb_normalized(value):
    """`value` as PostgreSQL's jsonb gives it back, so that what is signed is what is read.

    jsonb keeps numbers as numerics: a float written with an exponent (1e16, 1.5e300) comes
    back as an integer, and -0.0 as 0."""
    if isinstance(value, float):
        if value == 0:
            return 0.0
        text = repr(value)
        return int(Decimal(text)) if "e+" in text else value
    if isinstance(value, dict):
        return {key: jsonb_normalized(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonb_normalized(item) for item in value]
    return value


@functools.lru_cache(maxsize=1024)
def _appended_counter(type: str):
    """The per-type child of events_appended (looking it up by label on every write costs).
    Types an integration chose are one label, `external`: callers never pick label values."""
    return events_appended.labels(type=type if registry.event_type(type) else "external")


class EmitOutsideTransaction(RuntimeError):
    """Events must be written in the transaction of the change they record."""


@dataclass(frozen=True)
class RecordedEvent:
    id: uuid.UUID
    seq: int
    type: str
    recorded_at: datetime


def actor_snapshot(actor) -> dict:
    """Who acted, as recorded: a user (with how they authenticated) or the system."""
    method = current_auth_method() or ("session" if current_request_id() else "cli")
    if actor is None or not getattr(actor, "is_authenticated", False):
        snapshot = {"type": "system", "id": None, "username": "system", "auth": method}
    else:
        snapshot = {
            "type": "user", "id": str(actor.pk), "username": actor.get_username(),
            "auth": method,
        }  # fmt: skip
    # The caller's own id of the request, to find it in their logs (never the correlation).
    if client_request_id := current_client_request_id():
        snapshot["client_request_id"] = client_request_id
    return snapshot


class UndeclaredEventType(LookupError):
    """The portal records only events of the types its apps declare (their events.py)."""


def event_emit(
    event_type: EventType,
    *,
    aggregate_id,
    payload: dict,
    actor,
    occurred_at: datetime | None = None,
    using: str = "default",
) -> RecordedEvent:
    """Record an event of a declared type in the current transaction, with one delivery per
    subscriber.

    The payload must make the type's public contract (ContractViolation otherwise), so what
    leaves the portal later is always what the contract says. The correlation id is the
    request's id (or, inside a subscriber, that of the event it handles, which is also the
    cause). Nothing is published before the transaction commits.
    """
    if not isinstance(event_type, EventType) or registry.event_type(event_type.name) != event_type:
        raise UndeclaredEventType(f"{event_type!r} is not a declared event type")
    payload = jsonb_normalized(payload)
    event_type.public_payload(payload)
    return _append(
        type=event_type.name, version=event_type.version,
        aggregate_type=event_type.aggregate_type, aggregate_id=aggregate_id, payload=payload,
        actor=actor, occurred_at=occurred_at, using=using,
    )  # fmt: skip


def _append(
    *,
    type: str,
    version: int,
    aggregate_type: str,
    aggregate_id,
    payload: dict,
    actor,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
    using: str = "default",
) -> RecordedEvent:
    """Write one event (its payload normalised already) and its deliveries."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise EmitOutsideTransaction(f"{type}: emit events inside transaction.atomic()")
    now = timezone.now()
    causation = current_causation()
    event = {
        "id": event_id or uuid.uuid4(),
        "type": type,
        "version": version,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(aggregate_id),
        "actor": actor if isinstance(actor, dict) else actor_snapshot(actor),
        "correlation_id": causation[1] if causation else (current_request_id() or ""),
        "causation_id": uuid.UUID(causation[0]) if causation else None,
        "occurred_at": occurred_at or now,
        "recorded_at": now,
        "payload": payload,
    }
    document = signing.canonical(event)
    key_id, signature = signing.sign_canonical(document)
    params = [
        document.decode(),
        event["id"],
        type,
        version,
        aggregate_type,
        event["aggregate_id"],
        event["correlation_id"],
        event["causation_id"],
        event["occurred_at"],
        now,
        signature,
        key_id,
        tracing.current_traceparent(),
        type,
        now,
        now,
        now,
        list(registry.subscribers_of(type)),
    ]
    # A server-side prepared statement (psycopg keeps it per connection; see
    # prepare_threshold in the settings): this runs on every write, and parsing and planning
    # it each time doubled its cost. It runs on Django's own connection, so it is part of
    # the caller's transaction.
    # The psycopg instrumentation traces Django's cursors only: this one gets its own span.
    with (
        tracing.client_span("INSERT audit_event", attributes=_APPEND_SPAN_ATTRIBUTES),
        psycopg.Cursor(connection.connection) as cursor,
    ):
        cursor.execute(_APPEND, params, prepare=True)
        seq = cursor.fetchone()[0]
    transaction.on_commit(_appended_counter(type).inc, using=using)
    return RecordedEvent(id=event["id"], seq=seq, type=type, recorded_at=now)


def audit_partitions_ensure(*, months: int | None = None, first_month=None) -> int:
    """Create the log's monthly partitions for `months` months from `first_month` (this
    month by default); returns how many were missing. The relay worker runs it daily."""
    months = months or settings.AUDIT_PARTITION_MONTHS
    with transaction.atomic(), connection.cursor() as cursor:
        # Creating a partition locks the log briefly: never queue behind a long writer.
        cursor.execute("SET LOCAL lock_timeout = '5s'")
        if first_month is None:
            cursor.execute("SELECT audit_ensure_partitions(%s)", [months])
        else:
            cursor.execute("SELECT audit_ensure_partitions(%s, %s)", [months, first_month])
        return cursor.fetchone()[0]


INGEST_PAYLOAD_MAX_BYTES = 64 * 1024
INGEST_MAX_CLOCK_SKEW = timedelta(minutes=5)


# The design's domains, reserved before their apps arrive, and the labels the event log's
# own events kept from when it was two apps.
RESERVED_NAMESPACES = frozenset(
    {"resources", "inventory", "orders", "payments", "realtime", "audit", "events"}
)


def portal_domains() -> set[str]:
    """The namespaces of the portal's own apps' event types."""
    labels = {config.label for config in apps.get_app_configs() if config.name.startswith("apps.")}
    return labels | RESERVED_NAMESPACES


def portal_event_namespaces() -> set[str]:
    """The first segments of the portal's own event types: integrations may not use them
    (they would drive the portal's subscribers, its sagas and read models)."""
    declared = {event_type.name.split(".", 1)[0] for event_type in registry.event_types()}
    return portal_domains() | declared


def _validate_ingest(*, type, aggregate_type, aggregate_id, occurred_at, payload) -> None:
    errors = {}
    if not EVENT_TYPE_PATTERN.fullmatch(type or ""):
        errors["type"] = [_("Use a dotted lowercase type such as 'erp.invoice.paid'.")]
    elif type.split(".", 1)[0] in portal_event_namespaces():
        errors["type"] = [
            _("'%(namespace)s.' events are the portal's own; use your system's name instead.")
            % {"namespace": type.split(".", 1)[0]}
        ]
    for name, value in (("aggregate_type", aggregate_type), ("aggregate_id", aggregate_id)):
        if contains_unstorable_text(value):
            errors[name] = [_("Text cannot contain the NUL character.")]
    if occurred_at > timezone.now() + INGEST_MAX_CLOCK_SKEW:
        errors["occurred_at"] = [_("An event cannot occur more than 5 minutes from now.")]
    if not isinstance(payload, dict):
        errors["payload"] = [_("The payload is a JSON object.")]
    elif (payload_error := _storable_error(payload)) is not None:
        errors["payload"] = [payload_error]
    elif len(json.dumps(payload, ensure_ascii=False).encode()) > INGEST_PAYLOAD_MAX_BYTES:
        errors["payload"] = [_("The payload is larger than 64 KiB.")]
    if errors:
        raise ValidationError(errors)


def _storable_error(value) -> str | None:
    try:
        validate_storable_json(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


@transaction.atomic
def event_ingest(
    *, event_id, type, aggregate_type, aggregate_id, occurred_at, payload, actor
) -> tuple[Event, bool]:
    """Append a business event sent by an integration; returns it and whether it is new.

    The client's id makes it idempotent: the same id with the same content returns the
    stored event, with other content it is a conflict. (The log is partitioned, so the id
    cannot be unique in the database; a lock on the id serialises concurrent senders.)"""
    _validate_ingest(
        type=type, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
        occurred_at=occurred_at, payload=payload,
    )  # fmt: skip
    event_id = event_id or uuid.uuid4()
    payload = jsonb_normalized(payload)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(event_id)])
    existing = Event.objects.filter(id=event_id).first()
    if existing is not None:
        same = (
            existing.type == type
            and existing.aggregate_type == aggregate_type
            and existing.aggregate_id == str(aggregate_id)
            and existing.occurred_at == occurred_at
            and existing.payload == payload
        )
        if not same:
            raise EventIdReused(_("Event %(id)s exists with other content.") % {"id": event_id})
        return existing, False
    _append(
        type=type, version=1, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
        payload=payload, actor=actor, occurred_at=occurred_at, event_id=event_id,
    )  # fmt: skip
    return Event.objects.get(id=event_id), True


@transaction.atomic
def dead_letters_replay(*, deliveries: QuerySet[Delivery], actor) -> list[Delivery]:
    """Give dead letters a fresh set of attempts, due now; returns those replayed.

    Deliveries that are not (or no longer) dead letters are left alone."""
    letters = list(
        deliveries.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.DEAD)
        .order_by("pk")
    )
    if not letters:
        return []
    now = timezone.now()
    Delivery.objects.filter(pk__in=[letter.pk for letter in letters]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
    )
    for letter in letters:
        event_emit(
            DEAD_LETTER_REPLAYED,
            aggregate_id=letter.pk,
            payload={
                "delivery": letter.pk,
                "subscriber": letter.subscriber,
                "event_id": str(letter.event_id),
                "event_type": letter.event_type,
                "attempts": letter.attempts,
                "last_error": letter.last_error,
            },
            actor=actor,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify('fusionops_outbox', '')")  # sent at commit
    for letter in letters:
        letter.refresh_from_db()
    return letters


@dataclass(frozen=True)
class Fanned:
    """An event to deliver to a run-time subscriber (`registry.subscriber_family`)."""

    event_id: uuid.UUID
    event_recorded_at: datetime
    event_type: str
    subscriber: str


_DELIVERIES_ADD = """
INSERT INTO events_delivery (
    event_id, event_recorded_at, event_type, subscriber, status, attempts, next_attempt_at,
    last_error, created_at, updated_at
)
SELECT f.event_id, f.recorded_at, f.event_type, f.subscriber, 'pending', 0, %s, '', %s, %s
FROM unnest(%s::uuid[], %s::timestamptz[], %s::text[], %s::text[])
    AS f(event_id, recorded_at, event_type, subscriber)
ON CONFLICT (subscriber, event_id) DO {conflict}
"""
_DELIVER_AGAIN = """UPDATE SET
    status = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at,
    last_error = '', completed_at = NULL, updated_at = EXCLUDED.updated_at"""


def _deliveries_write(fanned: list[Fanned], *, again: bool) -> int:
    if not fanned:
        return 0
    now = timezone.now()
    with connection.cursor() as cursor:
        if again:
            # Delivered before: the processed markers would make the relay skip them.
            cursor.execute(
                "DELETE FROM events_processedmarker m USING unnest(%s::text[], %s::uuid[])"
                " AS f(subscriber, event_id)"
                " WHERE m.subscriber = f.subscriber AND m.event_id = f.event_id",
                [[f.subscriber for f in fanned], [f.event_id for f in fanned]],
            )
        cursor.execute(
            _DELIVERIES_ADD.format(conflict=_DELIVER_AGAIN if again else "NOTHING"),
            [now, now, now,
             [f.event_id for f in fanned], [f.event_recorded_at for f in fanned],
             [f.event_type for f in fanned], [f.subscriber for f in fanned]],
        )  # fmt: skip
        written = cursor.rowcount
        cursor.execute("SELECT pg_notify('fusionops_outbox', '')")  # sent at commit
    return written


def deliveries_add(*, fanned: list[Fanned]) -> int:
    """Deliver committed events to run-time subscribers, in the caller's transaction (an
    event already given to one is not given twice); returns how many were added."""
    if not transaction.get_connection().in_atomic_block:
        raise EmitOutsideTransaction("deliveries_add: inside transaction.atomic()")
    return _deliveries_write(fanned, again=False)


def deliveries_redo(*, fanned: list[Fanned]) -> int:
    """Deliver events again (a replay), whatever became of their earlier deliveries: each
    is pending now with a fresh set of attempts. In the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise EmitOutsideTransaction("deliveries_redo: inside transaction.atomic()")
    return _deliveries_write(fanned, again=True)


def dead_letter_replay(*, delivery: Delivery, actor) -> Delivery:
    replayed = dead_letters_replay(deliveries=Delivery.objects.filter(pk=delivery.pk), actor=actor)
    if not replayed:
        raise NotADeadLetter(
            _("Delivery %(id)s is %(status)s, not a dead letter.")
            % {"id": delivery.pk, "status": delivery.get_status_display()}
        )
    return replayed[0]


PURGE_CHUNK = 5000


def deliveries_purge(*, older_than: timedelta | None = None) -> int:
    """Delete settled deliveries (and their processed markers) older than the retention,
    in chunks of their own transactions (no long lock, no huge transaction).

    Dead letters and pending deliveries are kept whatever their age; the audit log keeps
    every event for good. Returns how many deliveries were deleted."""
    age = older_than or timedelta(days=settings.EVENTS_DELIVERY_RETENTION_DAYS)
    cutoff = timezone.now() - age
    deleted = 0
    for model, old in (
        (Delivery, {"status": DeliveryStatus.DONE, "completed_at__lt": cutoff}),
        (ProcessedMarker, {"processed_at__lt": cutoff}),
    ):
        while True:
            with transaction.atomic():
                chunk = list(model.objects.filter(**old).values_list("pk", flat=True)[:PURGE_CHUNK])
                if not chunk:
                    break
                count, _details = model.objects.filter(pk__in=chunk).delete()
                if model is Delivery:
                    deleted += count
    return deleted


def worker_heartbeat_record(*, worker: str) -> None:
    """The worker is alive and looping (an upsert: one row per worker)."""
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": timezone.now()})


def worker_heartbeats_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Workers gone for a day are forgotten (restarts leave a row each)."""
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - older_than).delete()
    return deleted
