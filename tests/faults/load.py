"""A steady mixed load on the portal's real processes, kept up through a fault, and what
it takes to check afterwards that nothing was lost or applied twice.

Each write is one operation a client means to apply once: it carries an Idempotency-Key
and is sent again with the same key until the portal gives a final answer (2xx or 4xx),
as a careful integrator would. An operation is unique in its effect (its own time slot,
stock reference or customer reference), so the database says how often it was applied.
Live followers hold websocket connections and reconnect from their last position."""

import asyncio
import itertools
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

# How long one operation goes on retrying before the load gives it up (it stays open:
# the check then allows zero or one application).
OPERATION_DEADLINE_SECONDS = 120
PAUSE_BETWEEN_TRIES_SECONDS = 0.2


@dataclass
class Operation:
    kind: str  # booking | conflicting-booking | stock-issue | order
    key: str
    body: dict
    statuses: list[int | str] = field(default_factory=list)
    answer: dict | None = None
    retry_after: list[str] = field(default_factory=list)

    @property
    def final(self) -> int | None:
        """The status that settled it (2xx or 4xx), if one did."""
        settled = [s for s in self.statuses if isinstance(s, int) and s < 500]
        return settled[-1] if settled else None


@dataclass
class Fixture:
    """What the load works on: made by the test before it starts."""

    url: str
    token: str  # an Operator and Warehouse user's (books, moves stock, places orders)
    project_id: int
    resource_ids: list[int]
    item_id: int
    location_id: int
    slots_start: datetime


class SteadyLoad:
    """`writers` threads, each sending one operation after another (40% bookings, a tenth
    of them aimed at a slot already taken, 30% stock issues, 30% orders) and a read
    between writes, until `stop()`."""

    def __init__(self, fixture: Fixture, *, writers: int = 4):
        self.fixture = fixture
        self.writers = writers
        self.operations: list[Operation] = []
        self.reads: Counter = Counter()
        self._slots = itertools.count()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- driving -------------------------------------------------------------------------

    def start(self) -> "SteadyLoad":
        for number in range(self.writers):
            thread = threading.Thread(target=self._write, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=OPERATION_DEADLINE_SECONDS + 30)

    def _write(self, number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.fixture.token}"
        chooser = random.Random(number)
        while not self._stopping.is_set():
            operation = self._next_operation(chooser)
            self._apply(session, operation)
            self._read(session, chooser)

    def _next_operation(self, chooser: random.Random) -> Operation:
        roll = chooser.random()
        key = uuid.uuid4().hex
        if roll < 0.4:
            booked = self.booked()
            if booked and chooser.random() < 0.1:
                taken = chooser.choice(booked)
                operation = Operation("conflicting-booking", key, taken.body)
            else:
                slot = next(self._slots)
                resource = self.fixture.resource_ids[slot % len(self.fixture.resource_ids)]
                begins = self.fixture.slots_start + timedelta(
                    hours=slot // len(self.fixture.resource_ids)
                )
                body = {
                    "project": self.fixture.project_id,
                    "items": [{"resource": resource, "from": begins.isoformat(),
                               "to": (begins + timedelta(hours=1)).isoformat()}],
                    "note": key,
                }  # fmt: skip
                operation = Operation("booking", key, body)
        elif roll < 0.7:
            body = {"item": self.fixture.item_id, "location": self.fixture.location_id,
                    "quantity": "1", "reference": key}  # fmt: skip
            operation = Operation("stock-issue", key, body)
        else:
            body = {"customer_reference": key,
                    "lines": [{"item": self.fixture.item_id, "location": self.fixture.location_id,
                               "quantity": "1"}]}  # fmt: skip
            operation = Operation("order", key, body)
        with self._lock:
            self.operations.append(operation)
        return operation

    PATHS = {
        "booking": "/api/v1/allocate/",
        "conflicting-booking": "/api/v1/allocate/",
        "stock-issue": "/api/v1/stock/issue/",
        "order": "/api/v1/orders/",
    }

    def _apply(self, session: requests.Session, operation: Operation) -> None:
        deadline = time.monotonic() + OPERATION_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                response = session.post(
                    self.fixture.url + self.PATHS[operation.kind],
                    json=operation.body,
                    headers={"Idempotency-Key": operation.key},
                    timeout=30,
                )
            except requests.RequestException as error:
                operation.statuses.append(type(error).__name__)
            else:
                operation.statuses.append(response.status_code)
                if response.status_code == 503:
                    operation.retry_after.append(response.headers.get("Retry-After", ""))
                if response.status_code < 500:
                    operation.answer = _json(response)
                    return
            time.sleep(PAUSE_BETWEEN_TRIES_SECONDS)

    def _read(self, session: requests.Session, chooser: random.Random) -> None:
        path = chooser.choice([
            f"/api/v1/allocations/?project={self.fixture.project_id}&page_size=20",
            f"/api/v1/stock/?item={self.fixture.item_id}",
            "/api/v1/orders/?page_size=20",
            "/api/v1/resources/?page_size=20",
        ])  # fmt: skip
        try:
            response = session.get(self.fixture.url + path, timeout=30)
        except requests.RequestException as error:
            self.reads[type(error).__name__] += 1
        else:
            self.reads[response.status_code] += 1

    # -- what happened -------------------------------------------------------------------

    def booked(self) -> list[Operation]:
        return [op for op in self.operations if op.kind == "booking" and op.final == 201]

    def statuses(self) -> Counter:
        """Every answer, of writes and reads: status code (or the client's error) → count."""
        counted = Counter(self.reads)
        for operation in self.operations:
            counted.update(operation.statuses)
        return counted

    def table(self) -> dict:
        statuses = self.statuses()
        numeric = {s: n for s, n in statuses.items() if isinstance(s, int)}
        return {
            "sent": sum(statuses.values()),
            "2xx": sum(n for s, n in numeric.items() if 200 <= s < 300),
            "4xx": sum(n for s, n in numeric.items() if 400 <= s < 500),
            "503": numeric.get(503, 0),
            "500": sum(n for s, n in numeric.items() if s >= 500 and s != 503),
            "unanswered": sum(n for s, n in statuses.items() if not isinstance(s, int)),
            "operations": len(self.operations),
            "operations_open": sum(1 for op in self.operations if op.final is None),
            "reads": dict(self.reads),
            "finals": dict(Counter(f"{op.kind}:{op.final}" for op in self.operations)),
        }


def _json(response: requests.Response) -> dict | None:
    try:
        return response.json()
    except ValueError:
        return None


class LiveFollower:
    """A browser's socket on `topics`: collects event messages; when the socket drops it
    connects again with `after_position` set to the last position it saw."""

    def __init__(self, ws_url: str, token: str, topics: list[str]):
        self.ws_url, self.token, self.topics = ws_url, token, topics
        self.messages: list[dict] = []
        self.position: int | None = None  # the last position seen: where a reconnect resumes
        self.reconnects = 0
        self.resyncs = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._follow()), daemon=True)
        self._subscribed = threading.Event()

    def start(self) -> "LiveFollower":
        self._thread.start()
        assert self._subscribed.wait(60), "the follower never subscribed"
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    async def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                async with connect(
                    self.ws_url, subprotocols=["fusionops.bearer", self.token], open_timeout=5
                ) as socket:
                    request = {"action": "subscribe", "topics": self.topics}
                    if self.position is not None:
                        request["after_position"] = self.position
                    await socket.send(json.dumps(request))
                    await self._receive(socket)
            except (OSError, WebSocketException, TimeoutError):
                pass
            if not self._stopping.is_set():
                self.reconnects += 1
                await asyncio.sleep(0.5)

    async def _receive(self, socket) -> None:
        while not self._stopping.is_set():
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 1))
            except TimeoutError:
                continue
            kind = message.get("type")
            if kind == "ping":
                await socket.send(json.dumps({"action": "pong"}))
            elif kind == "subscribed":
                self.position = message["position"]
                self._subscribed.set()
            elif kind == "resync":
                self.resyncs += 1
                self.position = message["position"]
            elif "position" in message and "event_id" in message:
                self.messages.append(message)
                self.position = message["position"]
