"""Reads of the sealed log for websocket clients: where it ends, and what a client missed."""

from django.conf import settings
from django.db import connection

from apps.eventlog.selectors import sealed_events
from apps.realtime.messages import event_types_reaching, message_for, stream_entry

_PAGE = 1000


def head_position() -> int:
    """The last sealed position: everything at or below it has committed and is numbered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(position), 0) FROM audit_seal")
        return cursor.fetchone()[0]


def missed_messages(
    *, after: int, through: int, subscribed: set[str], user_id=None, legacy_names: bool = False
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
            message = message_for(
                stream_entry(event), subscribed, user_id=user_id, legacy_names=legacy_names
            )
            if message is not None:
                found.append(message)
                if len(found) > limit:
                    return None
        if not page.full:
            return found
        after = page.scanned_through
