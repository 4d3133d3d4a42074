"""Following the live stream for one reader that is not a /ws/notify/ socket (the server-sent
event stream, GraphQL subscriptions): the same messages on the same topics, in position
order, with what was missed replayed from the log.

`follow` yields each message a reader of `subscribed` gets, and `None` at every heartbeat
(REALTIME_HEARTBEAT_SECONDS without a message), after asking `still_allowed`: when the
identity no longer holds, it ends. A batch lost on the way is filled from the log; when
more was missed than is replayed, a `resync` message says where the stream goes on.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from apps.realtime import metrics, selectors
from apps.realtime.messages import message_for, positioned
from apps.realtime.services import STREAM_GROUP


async def follow(
    *,
    user_id,
    subscribed: set[str],
    after: int | None,
    still_allowed: Callable[[], Awaitable[bool]],
) -> AsyncIterator[dict | None]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    # Join the stream first, then read where the log ends: a batch published in between
    # is either below that point (dropped) or continues from it.
    await layer.group_add(STREAM_GROUP, channel)
    metrics.connections.inc()
    follower = _Follower(user_id, subscribed)
    try:
        head = await database_sync_to_async(selectors.head_position)()
        follower.position = head if after is None or after > head else after
        if follower.position < head:
            for message in await follower.catch_up(head):
                yield message
        interval = settings.REALTIME_HEARTBEAT_SECONDS
        while True:
            batch = await _receive(layer, channel, interval)
            if batch is None:
                if not await still_allowed():
                    return
                yield None
                continue
            for message in await follower.batch(batch):
                yield message
    finally:
        metrics.connections.dec()
        await layer.group_discard(STREAM_GROUP, channel)


async def _receive(layer, channel: str, timeout: float) -> dict | None:
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


class _Follower:
    def __init__(self, user_id, subscribed: set[str]):
        self.user_id, self.subscribed = user_id, set(subscribed)
        self.position = 0

    async def batch(self, batch: dict) -> list[dict]:
        if batch["last"] <= self.position:
            return []
        messages = []
        if batch["first"] > self.position + 1:
            metrics.gaps.inc()  # batches lost on the way: the log has them
            messages += await self.catch_up(batch["first"] - 1)
        for entry in batch["entries"]:
            if entry["position"] > self.position:
                message = message_for(entry, self.subscribed, user_id=self.user_id)
                if message is not None:
                    messages.append(message)
        self.position = max(self.position, batch["last"])
        return messages

    async def catch_up(self, through: int) -> list[dict]:
        """What the log holds for this reader in (position, through], or a resync when
        that is too much; afterwards the reader is at `through`."""
        missed = await database_sync_to_async(selectors.missed_messages)(
            after=self.position, through=through, subscribed=self.subscribed, user_id=self.user_id
        )
        self.position = through
        if missed is None:
            metrics.resyncs.inc()
            return [positioned({"type": "resync"}, through)]
        metrics.replayed.inc(len(missed))
        return missed
