"""Integration benchmarks (run by `make bench` through bench/run.py, on the events database).

- webhooks: deliveries/s to a local receiver (a process of its own answering 200 at once,
  keep-alive) with one and with two `run_worker` processes, from the commit of N events to
  the last delivery settled; the fan-out is part of it (target >= 1,000/s with one);
- RabbitMQ bridge: confirmed publishes/s with one worker to the machine's RabbitMQ (a queue
  bound, so every message is routed and stored), from the commit of N events to the last
  delivery settled (target >= 3,000/s), and commit-to-consumer latency at rest: one event at
  a time, from its commit to its arrival at a consumer (target p95 < 20 ms).
"""

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

import django

django.setup()

import aio_pika  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.eventlog.sealing import audit_seal_pending  # noqa: E402
from apps.eventlog.services import event_emit  # noqa: E402
from apps.integrations import bridges, services  # noqa: E402
from bench.eventlog import start_workers, stop  # noqa: E402
from bench.events import BRIDGE_GENERATED, WEBHOOK_GENERATED  # noqa: E402

WEBHOOKS = int(os.environ.get("BENCH_WEBHOOKS", "5000"))
PUBLISHES = int(os.environ.get("BENCH_PUBLISHES", "10000"))
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", "200"))
RABBIT = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def pending(subscriber_prefix: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM events_delivery WHERE subscriber LIKE %s AND status <> 'done'",
            [subscriber_prefix + "%"],
        )
        return cursor.fetchone()[0]


def settled_within(subscriber_prefix: str, expected_rows: int, committed: float) -> float:
    """Seconds from `committed` until `expected_rows` deliveries exist and all are done."""
    while time.perf_counter() - committed < 600:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'done') FROM events_delivery"
                " WHERE subscriber LIKE %s",
                [subscriber_prefix + "%"],
            )
            rows, done = cursor.fetchone()
        if rows >= expected_rows and done == rows:
            return time.perf_counter() - committed
        time.sleep(0.01)
    raise SystemExit(f"{subscriber_prefix}: not settled within 10 minutes")


def emit(event_type, count: int) -> float:
    run = uuid.uuid4().hex
    with transaction.atomic():
        for _ in range(count):
            event_emit(event_type, aggregate_id=run, payload={"run": run}, actor=None)
    return time.perf_counter()


def webhooks(worker_count: int, url: str, owner) -> None:
    while audit_seal_pending():  # the workers only fan out and deliver what comes next
        pass
    endpoint, _secret = services.webhook_endpoint_create(
        owner=owner, url=url, event_types=["bench.webhook.*"], actor=None
    )
    workers = start_workers(worker_count)
    try:
        elapsed = settled_within(endpoint.subscriber, WEBHOOKS, emit(WEBHOOK_GENERATED, WEBHOOKS))
    finally:
        stop(workers)
        services.webhook_endpoint_change(endpoint_id=endpoint.pk, active=False, actor=None)
    rate = WEBHOOKS / elapsed
    verdict = (
        (" meets" if rate >= 1000 else " BELOW") + " (target 1000)" if worker_count == 1 else ""
    )
    print(f"webhooks.deliveries_per_s.workers_{worker_count} {rate:.0f}{verdict}")


class Consumer:
    """A RabbitMQ consumer in a thread of its own: the arrival time of each message id."""

    def __init__(self, exchange: str):
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self.exchange = exchange
        self.queue = f"{exchange}.consumer"
        threading.Thread(target=asyncio.run, args=(self._consume(),), daemon=True).start()
        self.ready.wait(10)

    async def _consume(self):
        connection = await aio_pika.connect(RABBIT)
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1000)
        exchange = await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(self.queue, durable=True)
        await queue.bind(exchange, routing_key="#")
        self.ready.set()
        async with queue.iterator() as messages:
            async for message in messages:
                self.arrived[message.message_id] = time.time()
                await message.ack()


def rabbitmq() -> None:
    exchange = f"fusionops.bench.{uuid.uuid4().hex[:8]}"
    consumer = Consumer(exchange)
    os.environ.update({"BRIDGE_RABBITMQ_URL": RABBIT, "BRIDGE_RABBITMQ_EXCHANGE": exchange})
    # Deliveries are written by the process that records the event: it has the bridge too.
    bridges.subscribe(bridges.RabbitMQ(RABBIT, exchange))
    workers = start_workers(1)
    try:
        emit(BRIDGE_GENERATED, 100)  # connects, declares the exchange
        settled_within("bridge.rabbitmq", 100, time.perf_counter())
        elapsed = settled_within(
            "bridge.rabbitmq", PUBLISHES + 100, emit(BRIDGE_GENERATED, PUBLISHES)
        )
        rate = PUBLISHES / elapsed
        verdict = "meets" if rate >= 3000 else "BELOW"
        print(f"rabbitmq.confirmed_publishes_per_s {rate:.0f} ({verdict} target 3000)")
        samples = []
        for _ in range(LATENCY_SAMPLES):
            with transaction.atomic():
                recorded = event_emit(BRIDGE_GENERATED, aggregate_id="1", payload={}, actor=None)
            committed = time.time()
            deadline = time.perf_counter() + 5
            while (arrived := consumer.arrived.get(str(recorded.id))) is None:
                if time.perf_counter() > deadline:
                    raise SystemExit("a message did not arrive within 5 s")
                time.sleep(0.0005)
            samples.append((arrived - committed) * 1000)
            time.sleep(0.02)  # at rest: the worker is idle again before the next event
    finally:
        stop(workers)
        del os.environ["BRIDGE_RABBITMQ_URL"]
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"rabbitmq.commit_to_consumer_p50_ms {statistics.median(samples):.2f}")
    verdict = "meets" if p95 < 20 else "ABOVE"
    print(f"rabbitmq.commit_to_consumer_p95_ms {p95:.2f} ({verdict} target < 20)")
    print(
        f"rabbitmq.messages_consumed {len(consumer.arrived)} of {PUBLISHES + 100 + LATENCY_SAMPLES}"
    )


if __name__ == "__main__":
    assert "bench" in settings.DATABASES["default"]["NAME"], "runs on a bench database only"
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(receiver.stdout.readline())
        owner, _ = User.objects.get_or_create(username="bench-integration")
        webhooks(1, f"http://127.0.0.1:{port}/hooks", owner)
        webhooks(2, f"http://127.0.0.1:{port}/hooks", owner)
    finally:
        receiver.terminate()
    rabbitmq()
