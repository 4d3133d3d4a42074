"""Reads of the sealed log for websocket clients: where it ends, and what a client missed."""

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import connection

from apps.realtime.messages import event_types_reaching, message_for, stream_entry

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
    # When the event was written (in its transaction, just before it committed).
    recorded_at: datetime | None = None
    # The trace that recorded it, which its live publish continues ('' when untraced).
    traceparent: str = ""


def head_position() -> int:
    """The last sealed position: everything at or below it has committed and is numbered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(position), 0) FROM audit_seal")
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class SealedPage:
    events: list[SealedEvent]
    # The last position looked at (events of other types are skipped), None if none was.
    scanned_through: int | None
    full: bool


def sealed_events(
    *,
    after: int,
    through: int | None = None,
    limit: int,
    types: list[str] | None = None,
) -> SealedPage:
    """Up to `limit` positions after `after` (through `through`), in seal order, with the
    events among them of `types` (of any type when None)."""
    page_conditions, params = ["position > %s"], [after]
    if through is not None:
        page_conditions.append("position <= %s")
        params.append(through)
    params.append(limit)
    event_condition = ""
    if types is not None:
        event_condition = "AND e.type = ANY(%s)"
        params.append(types)
    with connection.cursor() as cursor:
        # Positions first, then each event by its primary key (the LIMIT keeps the planner
        # from joining the whole log by hash).
        cursor.execute(
            f"""
            WITH page AS (
                SELECT position, event_id, event_recorded_at FROM audit_seal
                WHERE {" AND ".join(page_conditions)}
                ORDER BY position LIMIT %s
            )
            SELECT p.position, e.id, e.type, e.occurred_at, e.aggregate_type, e.aggregate_id,
                   e.actor, e.correlation_id, e.payload, e.recorded_at, e.traceparent
            FROM page p
            LEFT JOIN LATERAL (
                SELECT * FROM audit_event e
                WHERE e.id = p.event_id AND e.recorded_at = p.event_recorded_at
                {event_condition}
                LIMIT 1
            ) e ON true
            ORDER BY p.position
            """,  # noqa: S608  the conditions are constants
            params,
        )
        rows = cursor.fetchall()
    events = [
        SealedEvent(
            *row[:6],
            actor=json.loads(row[6]) if isinstance(row[6], str) else row[6],
            correlation_id=row[7],
            payload=json.loads(row[8]) if isinstance(row[8], str) else row[8],
            recorded_at=row[9],
            traceparent=row[10],
        )
        for row in rows
        if row[1] is not None
    ]
    return SealedPage(events, rows[-1][0] if rows else None, full=len(rows) == limit)


def missed_messages(
    *, after: int, through: int, subscribed: set[str], legacy_names: bool = False
) -> list[dict] | None:
    """The messages a client following `subscribed` missed in (after, through], oldest
    first; None when they are too many to replay (the client must resync instead)."""
    limit = settings.REALTIME_REPLAY_LIMIT
    if after > through or through - after > settings.REALTIME_REPLAY_SCAN_LIMIT:
        return None
    types = event_types_reaching(subscribed)
    found: list[dict] = []
    while True:
        page = sealed_events(after=after, through=through, limit=_PAGE, types=types)
        for event in page.events:
            message = message_for(stream_entry(event), subscribed, legacy_names=legacy_names)
            if message is not None:
                found.append(message)
                if len(found) > limit:
                    return None
        if not page.full:
            return found
        after = page.scanned_through
