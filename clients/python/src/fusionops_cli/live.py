"""Following the portal's notification socket (/ws/notify/, apps/realtime/consumers.py):
authenticate with the `fusionops.bearer` subprotocol, subscribe to topics, answer pings,
and when the socket drops, reconnect with backoff and subscribe again `after_position` the
last position seen: the portal replays what was missed from the log, and a message at or
below that position (already seen) is never handed on twice."""

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from fusionops_cli import __version__, models
from fusionops_cli.errors import CliError, ExitCode

BEARER_SUBPROTOCOL = "fusionops.bearer"
CLOSE_UNAUTHENTICATED = 4401
# Every topic with a fixed name (apps/realtime/topics.py); `project:<id>` is asked for by
# name. The portal joins those the caller's roles allow and refuses the others.
AUDIT_TOPIC = "audit"
ALL_TOPICS = ("allocations", "inventory", "orders", "orders:mine", AUDIT_TOPIC)
AUDIT_MESSAGE = "auditEvent"
CONTROL_MESSAGES = frozenset({"subscribed", "unsubscribed", "error", "ping", "pong", "resync"})


def event_type_matches(pattern: str, event_type: str) -> bool:
    """As GET /api/v1/events/?type= reads it: an exact type, or a prefix such as orders.*"""
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


@dataclass
class TypeFilter:
    """Which live messages stand for events of the asked types: topic messages by their
    message type (the event catalogue names each event type's), audit messages by the
    event type they carry."""

    patterns: Sequence[str]
    message_types: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_catalogue(cls, patterns: Sequence[str], catalogue: models.EventCatalogue):
        message_types = frozenset(
            entry["message_type"]
            for entry in catalogue["event_types"]
            if entry.get("message_type")
            and any(event_type_matches(pattern, entry["type"]) for pattern in patterns)
        )
        return cls(patterns=patterns, message_types=message_types)

    def passes(self, message: models.LiveMessage) -> bool:
        if not self.patterns:
            return True
        if message["type"] == AUDIT_MESSAGE:
            carried = (message.get("data") or {}).get("type", "")
            return any(event_type_matches(pattern, carried) for pattern in self.patterns)
        return message["type"] in self.message_types


@dataclass
class Follower:
    """Hands every event message of `topics` to `emit` once, in position order, across
    reconnects. `position` is the last position seen (None: start from the live head)."""

    ws_url: str
    token: str
    topics: Sequence[str]
    emit: Callable[[models.LiveMessage], None]
    note: Callable[[str], None]
    position: int | None = None
    type_filter: TypeFilter | None = None
    # Refusals of these topics are expected (the default set): not worth a line.
    quiet_refusals: bool = False
    max_backoff: float = 30.0
    open_timeout: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    on_resync: Callable[[models.LiveMessage], None] | None = None
    # How many events were handed on; whether the current connection got its subscription.
    emitted: int = field(default=0, init=False)
    _joined: bool = field(default=False, init=False, repr=False)

    def run(self, *, limit: int | None = None) -> None:
        attempt = 0
        while True:
            self._joined = False
            try:
                with self._connect() as socket:
                    if self._follow(socket, limit=limit):
                        return
                    why = "the portal closed the socket"
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                if code == CLOSE_UNAUTHENTICATED:
                    raise CliError(
                        "The portal closed the socket: the token is not (or no longer) valid.",
                        ExitCode.NOT_ALLOWED,
                    ) from exc
                why = f"the socket dropped ({code or 'no close frame'})"
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    raise CliError(
                        f"The portal refused the socket ({status}).", ExitCode.NOT_ALLOWED
                    ) from exc
                if status == 404:
                    raise CliError(
                        f"There is no notification socket at {self.ws_url} (404).",
                        ExitCode.NOT_FOUND,
                    ) from exc
                why = f"the portal answered {status}"
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                why = f"cannot connect ({exc})"
            if self._joined:
                attempt = 0  # it was up: the backoff starts afresh
            delay = min(self.max_backoff, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311
            attempt += 1
            where = "the live head" if self.position is None else f"position {self.position}"
            self.note(f"{why}; reconnecting in {delay:.1f} s, resuming after {where}")
            self.sleep(delay)

    def _connect(self) -> ClientConnection:
        return connect(
            self.ws_url,
            subprotocols=[BEARER_SUBPROTOCOL, self.token],  # type: ignore[list-item]
            open_timeout=self.open_timeout,
            close_timeout=5,
            user_agent_header=f"fusionops-cli/{__version__}",
        )

    def _follow(self, socket: ClientConnection, *, limit: int | None) -> bool:
        """Subscribe and hand on messages until the socket closes (False) or `limit`
        events were handed on (True)."""
        request: dict = {"action": "subscribe", "topics": list(self.topics)}
        if self.position is not None:
            request["after_position"] = self.position
        socket.send(json.dumps(request))
        for raw in socket:
            message = json.loads(raw)
            if not isinstance(message, dict):
                continue
            kind = message.get("type")
            if kind == "ping":
                socket.send(json.dumps({"action": "pong"}))
            elif kind == "subscribed":
                self._subscribed(message)
            elif kind == "error":
                if not (self.quiet_refusals and message.get("code") == "forbidden-topic"):
                    topic = f" ({message['topic']})" if message.get("topic") else ""
                    self.note(f"portal: {message.get('detail')}{topic}")
            elif kind == "resync":
                # More was missed than the portal replays: state must be read afresh.
                self.note(
                    f"resync: events after position {self.position} up to "
                    f"{message.get('position')} were too many to replay; continuing from there"
                )
                if self.on_resync is not None:
                    self.on_resync(message)
                self._advance(message.get("position"))
            elif kind in CONTROL_MESSAGES:
                continue
            elif self._handle_event(message) and limit is not None and self.emitted >= limit:
                return True
        return False

    def _subscribed(self, message: dict) -> None:
        joined = message.get("topics") or []
        if not joined:
            raise CliError(
                "None of the topics can be followed with this token: "
                f"{', '.join(self.topics)} (see --topic).",
                ExitCode.NOT_ALLOWED,
            )
        self._joined = True
        self._advance(message.get("position"))
        self.note(f"following {', '.join(joined)} from position {self.position}")

    def _handle_event(self, message: models.LiveMessage) -> bool:
        position = message.get("position")
        if position is not None and self.position is not None and position <= self.position:
            return False  # seen before the socket dropped
        self._advance(position)
        if self.type_filter is not None and not self.type_filter.passes(message):
            return False
        self.emit(message)
        self.emitted += 1
        return True

    def _advance(self, position: int | None) -> None:
        if position is not None and (self.position is None or position > self.position):
            self.position = position
