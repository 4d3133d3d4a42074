"""Publishing the sealed log to websocket clients, in seal (commit) order."""

import asyncio
import threading

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.eventlog.selectors import sealed_events
from apps.platform import tracing
from apps.realtime import metrics
from apps.realtime.messages import stream_entry

# Every websocket consumer listens to this one group; each picks the entries for its topics.
STREAM_GROUP = "fusionops.stream"
STREAM_MESSAGE_TYPE = "stream.batch"
_PUBLISHER_LOCK = "fusionops.realtime.publisher"

_thread_state = threading.local()


def _send(batch: dict) -> None:
    """Publish from synchronous code, on this thread's own event loop, kept for the
    thread's life (the layer keeps one Redis connection per loop). A Redis that does not
    answer must not hold the sealer: the publish fails and is tried again."""
    loop = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_state.loop = asyncio.new_event_loop()
    loop.run_until_complete(
        asyncio.wait_for(
            get_channel_layer().group_send(STREAM_GROUP, batch),
            settings.REALTIME_PUBLISH_TIMEOUT_SECONDS,
        )
    )


def _batch(*, first: int, last: int, events) -> dict:
    return {
        "type": STREAM_MESSAGE_TYPE,
        "first": first,
        "last": last,
        "entries": [stream_entry(event) for event in events],
    }


def _publish_spans(events):
    """Each event's trace and its span's attributes (read only when tracing is on)."""
    for event in events:
        yield (
            event.traceparent,
            {
                "messaging.system": "fusionops.live",
                "messaging.operation.type": "publish",
                "messaging.destination.name": STREAM_GROUP,
                "messaging.message.id": str(event.id),
                "fusionops.event.type": event.type,
                "fusionops.position": event.position,
            },
        )


def stream_publish_sealed() -> int:
    """Publish sealed events past the stream cursor to the stream group, in batches that
    carry their first and last position; returns how many positions were published.

    One publisher at a time (others return at once); the cursor moves in the same
    transaction, so a position is published again only if that transaction failed. While
    idle, an empty batch every REALTIME_TICK_SECONDS says where the stream stands."""
    published = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_PUBLISHER_LOCK])
            if not cursor.fetchone()[0]:
                return published
            # The cursor's one row is made by the migration, at the log's end then. Never
            # made here: a row made at 0 would push all of history, and one made while a
            # test's tables are refilled collides with the refill.
            cursor.execute("SELECT position, published_at FROM realtime_streamcursor WHERE id = 1")
            row = cursor.fetchone()
            if row is None:
                return published
            position, published_at = row
            events = sealed_events(
                after=position, limit=settings.REALTIME_PUBLISH_BATCH_SIZE
            ).events
            now = timezone.now()
            if not events:
                # While nothing happens, say now and then where the stream stands: a
                # consumer that lost the last batch learns of it without waiting for the
                # next event.
                tick_due = published_at is None or (
                    (now - published_at).total_seconds() >= settings.REALTIME_TICK_SECONDS
                )
                if not tick_due:
                    return published
                _send(_batch(first=position + 1, last=position, events=[]))
                last = position
            else:
                last = events[-1].position
                with tracing.continued_each(_publish_spans(events), f"publish {STREAM_GROUP}"):
                    _send(_batch(first=position + 1, last=last, events=events))
            cursor.execute(
                "UPDATE realtime_streamcursor SET position = %s, published_at = %s WHERE id = 1",
                [last, now],
            )
        if not events:
            return published
        metrics.positions_published.inc(len(events))
        published += len(events)
        if len(events) < settings.REALTIME_PUBLISH_BATCH_SIZE:
            return published
