"""The notification socket, /ws/notify/.

Protocol (JSON text frames):
- client → server: {"action": "subscribe", "topics": [...], "after_position": N?},
  {"action": "unsubscribe", "topics": [...]}, {"action": "ping"}, {"action": "pong"}.
- server → client: event messages {"type", "position", "event_id", "occurred_at",
  "version", "data"} (types, topics and data as each event type declares them: see
  messages.py); {"type": "subscribed", "topics": [...], "position": N} after every
  subscribe, once the topics it could join are joined and everything up to N has been sent
  (N is null while the connection follows no topic); {"type": "resync", "position": N}
  when more was missed than is replayed (reload state, then continue from N);
  {"type": "error", "code", "detail", "topic"?}; {"type": "ping"} (answer with pong) and
  {"type": "pong"}.

`position` is the event's position in the sealed log, which is commit order: a client that
has seen N has seen every earlier event of its topics (GET /api/v1/events/ names the same
position, so a client may resume from either). The first subscribe with `after_position`
replays what was missed from the log before live messages follow. Each connection follows
the stream of sealed positions and fills any batch lost on the way from the log.

For one release the names of before still work: `after_seq` for `after_position`, `seq`
(sent beside `position`), and `?names=legacy` for the old message types.

Close codes: 4401 no valid identity (checked at connect and again at every heartbeat),
4408 no answer to pings, 4429 too slow to keep up.
"""

import asyncio
import time
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

import structlog
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib import auth

from apps.accounts import services as account_services
from apps.accounts.exceptions import ProviderUnavailable
from apps.accounts.tokens import InvalidToken
from apps.platform.api.throttling import AuthFailureThrottle
from apps.realtime import metrics, selectors, topics
from apps.realtime.messages import message_for, positioned
from apps.realtime.services import STREAM_GROUP
from apps.resources.models import Project

logger = structlog.get_logger("fusionops.realtime")

BEARER_SUBPROTOCOL = "fusionops.bearer"
CLOSE_UNAUTHENTICATED = 4401
CLOSE_HEARTBEAT_TIMEOUT = 4408
CLOSE_TOO_SLOW = 4429
MAX_TOPICS = 50
# `?names=legacy`: the message types of before they followed one convention.
LEGACY_NAMES = "legacy"


@database_sync_to_async
def _token_user(raw: str, address: str):
    """The token's user, or None. Failures count per client address, as for the API: an
    address past the rate is refused without looking at its tokens."""
    throttle = AuthFailureThrottle()
    key = throttle.key_for(address)
    if throttle.exhausted(key):
        logger.info("realtime.token_throttled", address=address)
        return None
    try:
        return account_services.bearer_token_user(raw)
    except (InvalidToken, ProviderUnavailable) as exc:
        logger.info("realtime.token_rejected", reason=str(exc))
        throttle.count(key)
        return None


@database_sync_to_async
def _session_user(session_key: str | None):
    """The active user a session still stands for (None once logged out, expired, or
    invalidated by a password change)."""
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=store))
    return user if user.is_authenticated and user.is_active else None


@database_sync_to_async
def _roles_of(user) -> frozenset[str]:
    return frozenset(user.groups.values_list("name", flat=True))


@database_sync_to_async
def _project_exists(project_id: int) -> bool:
    return Project.objects.filter(pk=project_id).exists()


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the connection ended (a handler may have raised), nothing of it stays.
            await self._release()

    async def dispatch(self, message):
        # Channels closes stale database connections before every message, a hop to its one
        # database thread: with a batch fanned out to hundreds of sockets, that hop was
        # most of the latency. Every database call here goes through database_sync_to_async,
        # which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.user = None
        self.topics: set[str] = set()
        self.position: int | None = None  # the last stream position handled
        self.outbox: asyncio.Queue = asyncio.Queue(maxsize=settings.REALTIME_MAX_PENDING)
        self.tasks: list[asyncio.Task] = []
        self.closing = False
        self.address = (self.scope.get("client") or ("",))[0]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        self.legacy_names = query.get("names") == [LEGACY_NAMES]
        offered = self.scope.get("subprotocols") or []
        if BEARER_SUBPROTOCOL in offered:
            credentials = [protocol for protocol in offered if protocol != BEARER_SUBPROTOCOL]
            if len(credentials) == 1:
                self.credential = ("token", credentials[0])
                self.user = await _token_user(credentials[0], self.address)
            await self.accept(subprotocol=BEARER_SUBPROTOCOL)
        else:
            user = self.scope.get("user")
            if user is not None and user.is_authenticated and user.is_active:
                self.credential = ("session", self.scope["session"].session_key)
                self.user = user
            await self.accept()
        if self.user is None:
            metrics.dropped_clients.labels("unauthenticated").inc()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.roles = await _roles_of(self.user)
        self.last_heard = time.monotonic()
        self.tasks = [asyncio.create_task(self._write()), asyncio.create_task(self._heartbeat())]
        metrics.connections.inc()
        logger.info("realtime.connected", user=self.user.get_username())

    async def disconnect(self, code):
        await self._release()

    async def _release(self) -> None:
        tasks, self.tasks = getattr(self, "tasks", []), []
        for task in tasks:
            task.cancel()
        if tasks:
            metrics.connections.dec()
        self._unfollow(list(getattr(self, "topics", ())))
        if getattr(self, "position", None) is not None:
            self.position = None
            await self.channel_layer.group_discard(STREAM_GROUP, self.channel_name)

    def _follow(self, topic: str) -> None:
        if topic not in self.topics:
            self.topics.add(topic)
            metrics.subscriptions.labels(topic=topics.kind_of(topic)).inc()

    def _unfollow(self, names) -> None:
        for topic in set(names) & self.topics:
            self.topics.discard(topic)
            metrics.subscriptions.labels(topic=topics.kind_of(topic)).dec()

    async def _still_allowed(self) -> bool:
        """Whether the identity the socket opened with still holds (a revoked token, a
        logout or a deactivated user ends it); topics the user's roles no longer allow are
        left with an error."""
        kind, secret = self.credential
        user = await (
            _token_user(secret, self.address) if kind == "token" else _session_user(secret)
        )
        if user is None or user.pk != self.user.pk:
            return False
        self.user, roles = user, await _roles_of(user)
        if roles != self.roles:
            self.roles = roles
            for topic in sorted(self.topics):
                if not topics.may_read(roles, superuser=user.is_superuser, topic=topic):
                    self._unfollow([topic])
                    await self._error(
                        "forbidden-topic",
                        f"Your roles no longer allow reading {topic!r}.",
                        topic=topic,
                    )
        return True

    # --- from the client -------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self._error("bad-request", "Send JSON in text frames.")
            return
        await super().receive(text_data=text_data, **kwargs)

    async def receive_json(self, content, **kwargs):
        if self.user is None:
            return
        self.last_heard = time.monotonic()
        action = content.get("action") if isinstance(content, dict) else None
        if action == "subscribe":
            await self._subscribe(content)
        elif action == "unsubscribe":
            names = content.get("topics")
            if not _is_topic_list(names):
                await self._error("bad-request", "topics must be a list of topic names.")
                return
            self._unfollow(names)
            self._enqueue({"type": "unsubscribed", "topics": sorted(self.topics)})
        elif action == "ping":
            self._enqueue({"type": "pong"})
        elif action != "pong":
            await self._error("bad-request", "action must be subscribe, unsubscribe, ping or pong.")

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def _subscribe(self, content):
        names = content.get("topics")
        after = content.get("after_position", content.get("after_seq"))
        if not _is_topic_list(names) or not names:
            await self._error("bad-request", f"topics must be a list of 1 to {MAX_TOPICS} names.")
            return
        if after is not None and (
            isinstance(after, bool) or not isinstance(after, int) or after < 0
        ):
            await self._error("bad-request", "after_position must be a whole number, 0 or more.")
            return
        for topic in dict.fromkeys(names):
            refusal = await self._refusal(topic)
            if refusal is None:
                self._follow(topic)
            else:
                await self._error(*refusal, topic=topic)
        if self.topics and self.position is None:
            # Join the stream first, then read where the log ends: a batch published in
            # between is either below that point (dropped) or continues from it.
            await self.channel_layer.group_add(STREAM_GROUP, self.channel_name)
            head = await database_sync_to_async(selectors.head_position)()
            if after is None:
                self.position = head
            else:
                self.position = after
                await self._catch_up(head)
        self._enqueue(
            positioned({"type": "subscribed", "topics": sorted(self.topics)}, self.position)
        )

    async def _refusal(self, topic: str) -> tuple[str, str] | None:
        if topics.topic_key(topic) is None:
            return "unknown-topic", f"There is no topic {topic!r}."
        if not topics.may_read(self.roles, superuser=self.user.is_superuser, topic=topic):
            return "forbidden-topic", f"Your roles do not allow reading {topic!r}."
        project_id = topics.project_id_of(topic)
        if project_id is not None and not await _project_exists(project_id):
            return "unknown-topic", f"There is no project {project_id}."
        return None

    # --- from the stream -------------------------------------------------------------

    async def stream_batch(self, batch):
        if self.position is None or batch["last"] <= self.position:
            return
        if batch["first"] > self.position + 1:
            # Batches between were lost on the way: the log has them.
            metrics.gaps.inc()
            await self._catch_up(batch["first"] - 1)
        for entry in batch["entries"]:
            if entry["position"] > self.position:
                message = message_for(
                    entry, self.topics, user_id=self.user.pk, legacy_names=self.legacy_names
                )
                if message is not None:
                    self._enqueue(message, recorded_at=entry.get("recorded_at"))
        self.position = max(self.position, batch["last"])

    async def _catch_up(self, through: int) -> None:
        """Send what the log holds for this client in (position, through], or a resync
        when that is too much; afterwards the client is at `through`."""
        missed = await database_sync_to_async(selectors.missed_messages)(
            after=self.position,
            through=through,
            subscribed=set(self.topics),
            user_id=self.user.pk,
            legacy_names=self.legacy_names,
        )
        if missed is None:
            metrics.resyncs.inc()
            self._enqueue(positioned({"type": "resync"}, through))
        else:
            metrics.replayed.inc(len(missed))
            for message in missed:
                self._enqueue(message)
        self.position = through

    # --- to the client ---------------------------------------------------------------

    def _enqueue(self, message: dict, *, recorded_at: float | None = None) -> None:
        """Queue a message for the writer. A client that lets more pile up than allowed is
        disconnected (it resumes from its last position) rather than slowing anything else."""
        if self.closing:
            return
        try:
            self.outbox.put_nowait((message, recorded_at))
        except asyncio.QueueFull:
            metrics.dropped_clients.labels("too_slow").inc()
            logger.info("realtime.client_too_slow", user=self.user.get_username())
            self._drop(CLOSE_TOO_SLOW)

    async def _error(self, code: str, detail: str, *, topic: str | None = None) -> None:
        message = {"type": "error", "code": code, "detail": detail}
        if topic is not None:
            message["topic"] = topic
        self._enqueue(message)

    async def _write(self) -> None:
        while True:
            message, recorded_at = await self.outbox.get()
            await self.send_json(message)
            metrics.messages_sent.labels(message["type"]).inc()
            if recorded_at is not None:
                # From the event's write (just before its commit) to this client's socket.
                metrics.commit_to_socket_seconds.observe(max(time.time() - recorded_at, 0.0))

    async def _heartbeat(self) -> None:
        interval = settings.REALTIME_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(interval)
            if time.monotonic() - self.last_heard > 2 * interval:
                metrics.dropped_clients.labels("heartbeat_timeout").inc()
                self._drop(CLOSE_HEARTBEAT_TIMEOUT)
                return
            if not await self._still_allowed():
                metrics.dropped_clients.labels("unauthenticated").inc()
                self._drop(CLOSE_UNAUTHENTICATED)
                return
            self._enqueue({"type": "ping"})

    def _drop(self, code: int) -> None:
        """Close the connection without waiting on it: the writer may be stuck on this
        very client."""
        if self.closing:
            return
        self.closing = True
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        asyncio.get_running_loop().create_task(self.close(code=code))


def _is_topic_list(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= MAX_TOPICS
        and all(isinstance(item, str) and len(item) <= 100 for item in value)
    )
