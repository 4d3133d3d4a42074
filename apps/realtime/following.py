"""Following the live stream for one reader that is not a /ws/notify/ socket (the server-sent
event stream, GraphQL subscriptions): the same messages on the same topics, in position
order, with what was missed replayed from the log.

`Following.messages` yields each message a reader of `subscribed` gets, and `None` at every
heartbeat (REALTIME_HEARTBEAT_SECONDS without a message), after asking `still_allowed`: when the
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


class Following:
    """One reader on the stream. `async with Following(...) as following:` joins the stream
    and reads where the log ends before the body runs, so whatever commits after the `with`
    is entered reaches `following.messages()`; leaving it leaves the stream."""

    def __init__(
        self,
        *,
        user_id,
        subscribed: set[str],
        after: int | None,
        still_allowed: Callable[[], Awaitable[bool]],
    ):
        self.after, self.still_allowed = after, still_allowed
        self.follower = _Follower(user_id, subscribed)
        self.head = 0

    async def __aenter__(self) -> "Following":
        self.layer = get_channel_layer()
        self.channel = await self.layer.new_channel()
        # Join the stream first, then read where the log ends: a batch published in between
        # is either below that point (dropped) or continues from it.
        await self.layer.group_add(STREAM_GROUP, self.channel)
        metrics.connections.inc()
        try:
            self.head = await database_sync_to_async(selectors.head_position)()
        except BaseException:
            await self.__aexit__()
            raise
        after = self.after
        self.follower.position = self.head if after is None or after > self.head else after
        return self

    async def __aexit__(self, *exc_info) -> None:
        metrics.connections.dec()
        await self.layer.group_discard(STREAM_GROUP, self.channel)

    async def messages(self) -> AsyncIterator[dict | None]:
        if self.follower.position < self.head:
            for message in await self.follower.catch_up(self.head):
                yield message
        interval = settings.REALTIME_HEARTBEAT_SECONDS
        while True:
            batch = await _receive(self.layer, self.channel, interval)
            if batch is None:
                if not await self.still_allowed():
                    return
                yield None
                continue
            for message in await self.follower.batch(batch):
                yield message


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
