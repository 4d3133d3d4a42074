"""Reads of the sealed log for websocket clients: where it ends, and what a client missed."""

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import connection

from apps.realtime.messages import event_type_filter, message_for, stream_entry

_PAGE = 1000


@dataclass(frozen=True)
class SealedEvent:
    position: int
    id: UUID
    type: str
    occurred_at: datetime
    aggregate_type: str
    aggregate_id: str
    actor: dict
    correlation_id: str
    payload: dict


def head_position() -> int:
    """The last sealed position: everything at or below it has committed and is numbered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(position), 0) FROM audit_seal")
        return cursor.fetchone()[0]


def sealed_events(
    *,
    after: int,
    through: int | None = None,
    limit: int,
    type_filter: tuple[list[str], list[str]] | None = None,
) -> list[SealedEvent]:
    """Sealed events after position `after` (through `through`), in seal order."""
    conditions, params = ["s.position > %s"], [after]
    if through is not None:
        conditions.append("s.position <= %s")
        params.append(through)
    if type_filter is not None:
        exact, patterns = type_filter
        conditions.append("(e.type = ANY(%s) OR e.type LIKE ANY(%s))")
        params += [exact, patterns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.position, e.id, e.type, e.occurred_at, e.aggregate_type, e.aggregate_id,
                   e.actor, e.correlation_id, e.payload
            FROM audit_seal s
            JOIN audit_event e ON e.id = s.event_id AND e.recorded_at = s.event_recorded_at
            WHERE {" AND ".join(conditions)}
            ORDER BY s.position
            LIMIT %s
            """,  # noqa: S608  the conditions are constants
            [*params, limit],
        )
        rows = cursor.fetchall()
    return [
        SealedEvent(
            *row[:6],
            actor=json.loads(row[6]) if isinstance(row[6], str) else row[6],
            correlation_id=row[7],
            payload=json.loads(row[8]) if isinstance(row[8], str) else row[8],
        )
        for row in rows
    ]


def missed_messages(*, after: int, through: int, subscribed: set[str]) -> list[dict] | None:
    """The messages a client following `subscribed` missed in (after, through], oldest
    first; None when they are too many to replay (the client must resync instead)."""
    limit = settings.REALTIME_REPLAY_LIMIT
    if after > through or through - after > settings.REALTIME_REPLAY_SCAN_LIMIT:
        return None
    type_filter = event_type_filter(subscribed)
    found: list[dict] = []
    while True:
        events = sealed_events(after=after, through=through, limit=_PAGE, type_filter=type_filter)
        for event in events:
            message = message_for(stream_entry(event), subscribed)
            if message is not None:
                found.append(message)
                if len(found) > limit:
                    return None
        if len(events) < _PAGE:
            return found
        after = events[-1].position
