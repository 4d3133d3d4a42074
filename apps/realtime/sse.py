"""`GET /api/v1/events/stream`: the live stream as server-sent events, for integrators that
cannot hold a websocket. Served by the ASGI process (never by a gunicorn worker, which one
open stream would hold for good).

    GET /api/v1/events/stream?topics=orders:mine,allocations
    Authorization: Bearer <token>
    Last-Event-ID: <position>        (or ?after_position=; resumes after it)

The same messages as /ws/notify/ (the public contracts), on the same topics with the same
permissions: each is `id: <position>`, `event: <message type>`, `data: <the message>`. A
client that reconnects with the last id it saw gets what it missed from the log, in order;
when that is too much, an `event: resync`. A comment line every REALTIME_HEARTBEAT_SECONDS
keeps proxies from closing an idle stream; at each, the token is checked again (a revoked
one ends the stream).
"""

import asyncio
import json
from urllib.parse import parse_qs

import structlog
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from apps.platform.problems import PROBLEM_CONTENT_TYPE, problem_type_uri
from apps.realtime import metrics, selectors, topics
from apps.realtime.consumers import MAX_TOPICS, _project_exists, _roles_of, _token_user
from apps.realtime.messages import message_for, positioned
from apps.realtime.services import STREAM_GROUP

logger = structlog.get_logger("fusionops.realtime")

PATH = "/api/v1/events/stream"


async def _problem(send, status: int, slug: str, detail: str, headers=()) -> None:
    body = json.dumps(
        {"type": problem_type_uri(slug), "title": detail, "status": status, "detail": detail}
    ).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", PROBLEM_CONTENT_TYPE.encode()), *headers],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _frame(message: dict) -> bytes:
    data = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    return f"id: {message['position']}\nevent: {message['type']}\ndata: {data}\n\n".encode()


class _Stream:
    def __init__(self, scope, receive, send):
        self.scope, self.receive, self.send = scope, receive, send
        headers = {
            name.decode("latin1").lower(): value.decode("latin1")
            for name, value in scope["headers"]
        }
        self.headers = headers
        self.query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        self.address = (scope.get("client") or ("",))[0]

    async def run(self) -> None:
        if self.scope["method"] != "GET":
            return await _problem(self.send, 405, "method-not-allowed", "Only GET is allowed.")
        authorization = self.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        user = await _token_user(token, self.address) if scheme.lower() == "bearer" else None
        if user is None:
            return await _problem(
                self.send, 401, "not-authenticated", "Send Authorization: Bearer <token>.",
                headers=[(b"www-authenticate", b"Bearer")],
            )  # fmt: skip
        refused = await self._topics(user)
        if refused is not None:
            return await _problem(self.send, *refused)
        after = self._after()
        if isinstance(after, tuple):
            return await _problem(self.send, *after)
        self.user, self.token = user, token
        await self._stream(after)

    async def _topics(self, user):
        names = [t for t in ",".join(self.query.get("topics", [])).split(",") if t]
        if not names or len(names) > MAX_TOPICS:
            return 400, "invalid-topics", f"Name 1 to {MAX_TOPICS} topics: ?topics=orders:mine"
        roles = await _roles_of(user)
        for topic in names:
            if topics.topic_key(topic) is None:
                return 400, "unknown-topic", f"There is no topic {topic!r}."
            if not topics.may_read(roles, superuser=user.is_superuser, topic=topic):
                return 403, "forbidden-topic", f"Your roles do not allow reading {topic!r}."
            project_id = topics.project_id_of(topic)
            if project_id is not None and not await _project_exists(project_id):
                return 404, "unknown-topic", f"There is no project {project_id}."
        self.topics = set(names)
        return None

    def _after(self):
        raw = self.headers.get("last-event-id") or (self.query.get("after_position") or [""])[0]
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 18:
            return 400, "invalid-position", "Last-Event-ID must be a position (a number)."
        return int(raw)

    async def _stream(self, after: int | None) -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(STREAM_GROUP, channel)
        await self.send({
            "type": "http.response.start", "status": 200,
            "headers": [(b"content-type", b"text/event-stream; charset=utf-8"),
                        (b"cache-control", b"no-cache"), (b"x-accel-buffering", b"no")],
        })  # fmt: skip
        metrics.connections.inc()
        gone = asyncio.create_task(self._until_disconnect())
        try:
            head = await database_sync_to_async(selectors.head_position)()
            self.position = head if after is None or after > head else after
            await self._write(b": connected\n\n")
            if self.position < head:
                await self._catch_up(head)
            if await self._follow(layer, channel, gone) == "ended":
                await self.send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()
            metrics.connections.dec()
            await layer.group_discard(STREAM_GROUP, channel)

    async def _until_disconnect(self) -> None:
        while (await self.receive())["type"] != "http.disconnect":
            pass

    async def _follow(self, layer, channel, gone: asyncio.Task) -> str:
        """Relay the stream until the client goes ("gone") or its token no longer holds
        ("ended")."""
        interval = settings.REALTIME_HEARTBEAT_SECONDS
        while not gone.done():
            receiving = asyncio.ensure_future(layer.receive(channel))
            finished, _pending = await asyncio.wait({receiving, gone}, timeout=interval)
            if gone in finished:
                receiving.cancel()
                break
            if receiving not in finished:
                receiving.cancel()
                if await _token_user(self.token, self.address) is None:
                    return "ended"  # the token was revoked or expired
                await self._write(b": ping\n\n")
                continue
            await self._batch(receiving.result())
        return "gone"

    async def _batch(self, batch: dict) -> None:
        if batch["last"] <= self.position:
            return
        if batch["first"] > self.position + 1:
            metrics.gaps.inc()  # batches lost on the way: the log has them
            await self._catch_up(batch["first"] - 1)
        for entry in batch["entries"]:
            if entry["position"] > self.position:
                message = message_for(entry, self.topics, user_id=self.user.pk)
                if message is not None:
                    await self._write(_frame(message))
        self.position = max(self.position, batch["last"])

    async def _catch_up(self, through: int) -> None:
        missed = await database_sync_to_async(selectors.missed_messages)(
            after=self.position, through=through, subscribed=self.topics, user_id=self.user.pk
        )
        if missed is None:
            metrics.resyncs.inc()
            await self._write(_frame(positioned({"type": "resync"}, through)))
        else:
            metrics.replayed.inc(len(missed))
            for message in missed:
                await self._write(_frame(message))
        self.position = through

    async def _write(self, chunk: bytes) -> None:
        await self.send({"type": "http.response.body", "body": chunk, "more_body": True})


async def event_stream(scope, receive, send) -> None:
    await _Stream(scope, receive, send).run()
