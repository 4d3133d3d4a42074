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

from apps.platform.api.routes import deprecation_headers
from apps.platform.problems import PROBLEM_CONTENT_TYPE, problem_type_uri
from apps.realtime import following, topics
from apps.realtime.consumers import MAX_TOPICS, _project_exists, _roles_of, _token_user

logger = structlog.get_logger("fusionops.realtime")

PATH = "/api/v1/events/stream/"
# The path of before the API's paths all ended with a slash, answered for one release.
OLD_PATH = PATH.rstrip("/")


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

    def _deprecation(self) -> list[tuple[bytes, bytes]]:
        if self.scope["path"] != OLD_PATH:
            return []
        headers = deprecation_headers(PATH)
        return [(name.lower().encode(), value.encode()) for name, value in headers.items()]

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
        # Joined before the answer starts: what commits once the client has its 200 reaches it.
        async with following.Following(
            user_id=self.user.pk, subscribed=self.topics, after=after,
            still_allowed=self._token_holds,
        ) as joined:  # fmt: skip
            await self.send({
                "type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream; charset=utf-8"),
                            (b"cache-control", b"no-cache"), (b"x-accel-buffering", b"no"),
                            *self._deprecation()],
            })  # fmt: skip
            messages = joined.messages()
            gone = asyncio.create_task(self._until_disconnect())
            try:
                await self._write(b": connected\n\n")
                if await self._relay(messages, gone) == "ended":
                    await self.send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                gone.cancel()
                await messages.aclose()

    async def _until_disconnect(self) -> None:
        while (await self.receive())["type"] != "http.disconnect":
            pass

    async def _token_holds(self) -> bool:
        return await _token_user(self.token, self.address) is not None

    async def _relay(self, messages, gone: asyncio.Task) -> str:
        """Write the stream until the client goes ("gone") or its token no longer holds
        ("ended": the token was revoked or expired)."""
        while not gone.done():
            upcoming = asyncio.ensure_future(anext(messages))
            finished, _pending = await asyncio.wait(
                {upcoming, gone}, return_when=asyncio.FIRST_COMPLETED
            )
            if upcoming not in finished:
                upcoming.cancel()
                break
            try:
                message = upcoming.result()
            except StopAsyncIteration:
                return "ended"
            await self._write(b": ping\n\n" if message is None else _frame(message))
        return "gone"

    async def _write(self, chunk: bytes) -> None:
        await self.send({"type": "http.response.body", "body": chunk, "more_body": True})


async def event_stream(scope, receive, send) -> None:
    await _Stream(scope, receive, send).run()
