"""Appending to the audit log: the one way an event is recorded."""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.audit import signing
from apps.core.context import current_auth_method, current_causation, current_request_id
from apps.events import registry
from apps.events.metrics import events_appended

EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

# The event and its outbox deliveries in one statement: one round trip per event.
_APPEND = """
WITH event AS (
    INSERT INTO audit_event (
        id, type, version, aggregate_type, aggregate_id, actor, correlation_id,
        causation_id, occurred_at, recorded_at, payload, signature
    ) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s::jsonb, %s)
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
        return {"type": "system", "id": None, "username": "system", "auth": method}
    return {"type": "user", "id": str(actor.pk), "username": actor.get_username(), "auth": method}


def event_emit(
    *,
    type: str,
    aggregate_type: str,
    aggregate_id,
    payload: dict,
    actor,
    version: int = 1,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
    using: str = "default",
) -> RecordedEvent:
    """Record an event in the current transaction, with one delivery per subscriber.

    The correlation id is the request's id (or, inside a subscriber, that of the event it
    handles, which is also the cause). Nothing is published before the transaction commits.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise EmitOutsideTransaction(f"{type}: emit events inside transaction.atomic()")
    if not EVENT_TYPE_PATTERN.match(type):
        raise ValueError(f"{type!r} is not an event type such as 'orders.order.placed'")
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
    signature = signing.sign(event)
    dumps = json.dumps
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND,
            [
                event["id"],
                type,
                version,
                aggregate_type,
                event["aggregate_id"],
                dumps(event["actor"]),
                event["correlation_id"],
                event["causation_id"],
                event["occurred_at"],
                now,
                dumps(payload, ensure_ascii=False, allow_nan=False),
                signature,
                type,
                now,
                now,
                now,
                list(registry.subscribers_of(type)),
            ],
        )
        seq = cursor.fetchone()[0]
    transaction.on_commit(events_appended.labels(type=type).inc, using=using)
    return RecordedEvent(id=event["id"], seq=seq, type=type, recorded_at=now)


def audit_partitions_ensure(*, months: int | None = None, first_month=None) -> int:
    """Create the log's monthly partitions for `months` months from `first_month` (this
    month by default); returns how many were missing. The relay worker runs it daily."""
    months = months or settings.AUDIT_PARTITION_MONTHS
    with connection.cursor() as cursor:
        if first_month is None:
            cursor.execute("SELECT audit_ensure_partitions(%s)", [months])
        else:
            cursor.execute("SELECT audit_ensure_partitions(%s, %s)", [months, first_month])
        return cursor.fetchone()[0]
