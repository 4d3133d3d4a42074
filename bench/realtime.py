"""Live-update latency (run by `make bench` through bench/run.py).

200 websocket clients (bearer tokens, topic `allocations`) on one uvicorn process, one
worker sealing and publishing; bookings committed through the booking service at 20 per
second for 15 s from this process. The figure is the time from each booking's commit (the
service call returning) to its message's arrival at each client: p50/p95/p99 over all
clients and bookings. Target: p95 < 100 ms. Beside it, the same run's p50/p95 as the ws
process's own histogram (fusionops_realtime_commit_to_socket_seconds) says, computed from
its buckets as Prometheus's histogram_quantile would.
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import api_token_issue  # noqa: E402
from apps.resources.models import Project, Resource  # noqa: E402
from apps.resources.services import AllocationItem, allocate  # noqa: E402
from bench.eventlog import start_workers, stop  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_WS_CLIENTS", "200"))
RATE = 20
SECONDS = 15
TARGET_P95_MS = 100
ROOT = Path(__file__).resolve().parent.parent


def start_uvicorn(port: int, metrics_port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "uvicorn"), "fusionops.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
         "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "LOG_LEVEL": "WARNING", "METRICS_PORT": str(metrics_port)},
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    sys.exit("uvicorn did not come up")


def prepare() -> tuple[str, User, Project, list[Resource]]:
    viewer, _ = User.objects.get_or_create(username="bench-viewer")
    viewer.groups.add(Group.objects.get(name="Viewer"))
    actor, _ = User.objects.get_or_create(username="bench-operator")
    token = api_token_issue(user=viewer, name="bench", ttl=timedelta(hours=1), actor=None)[1]
    project = Project.objects.create(code="BENCH-LIVE", name="bench")
    resources = [
        Resource.objects.create(name=f"live-{n}", kind="equipment", hourly_cost=50)
        for n in range(20)
    ]
    return token, actor, project, resources


def book_steadily(actor, project, resources, committed: dict) -> None:
    """RATE bookings per second, on a fixed schedule; records each commit time."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    began = time.perf_counter()
    for n in range(RATE * SECONDS):
        pause = began + n / RATE - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        begins = start + timedelta(hours=n // len(resources))
        allocation = allocate(
            project_id=project.pk,
            items=[
                AllocationItem(
                    resources[n % len(resources)].pk, begins, begins + timedelta(hours=1)
                )
            ],
            actor=actor,
        )[0]
        committed[allocation.pk] = time.perf_counter()
    connection.close()


async def measure(url: str, token: str, actor, project, resources) -> tuple[list[float], list[int]]:
    sockets = []
    for _ in range(CLIENTS):
        socket = await connect(url, subprotocols=["fusionops.bearer", token], open_timeout=30)
        await socket.send(json.dumps({"action": "subscribe", "topics": ["allocations"]}))
        sockets.append(socket)
    for socket in sockets:
        while json.loads(await socket.recv())["type"] != "subscribed":
            pass
    expected = RATE * SECONDS
    committed: dict[int, float] = {}
    arrivals: list[list[tuple[int, float]]] = [[] for _ in sockets]

    async def listen(socket, mine):
        while len(mine) < expected:
            try:
                frame = await asyncio.wait_for(socket.recv(), 30)
            except TimeoutError:
                return
            received = time.perf_counter()
            message = json.loads(frame)
            if message["type"] == "allocationCreated":
                mine.append((message["data"]["allocation_id"], received))
            elif message["type"] == "ping":
                await socket.send(json.dumps({"action": "pong"}))

    writer = threading.Thread(target=book_steadily, args=(actor, project, resources, committed))
    writer.start()
    await asyncio.gather(*(listen(s, mine) for s, mine in zip(sockets, arrivals, strict=True)))
    await asyncio.to_thread(writer.join)
    for socket in sockets:
        await socket.close()
    latencies = [(received - committed[aid]) * 1000 for mine in arrivals for aid, received in mine]
    return latencies, [len(mine) for mine in arrivals]


HISTOGRAM = "fusionops_realtime_commit_to_socket_seconds"


def histogram_buckets(metrics_port: int) -> dict[float, float]:
    """The histogram's cumulative bucket counts, by upper bound, as the ws process serves them."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {
        float(sample.labels["le"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == HISTOGRAM
        for sample in family.samples
        if sample.name == f"{HISTOGRAM}_bucket"
    }


def histogram_quantile(quantile: float, before: dict, after: dict) -> float:
    """Prometheus's histogram_quantile over the buckets' increase: linear within a bucket."""
    bounds = sorted(after)
    counts = [after[bound] - before.get(bound, 0.0) for bound in bounds]
    rank = quantile * counts[-1]
    lower, below = 0.0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-12)
        lower, below = bound, count
    return lower


def main() -> None:
    from bench.run import free_port

    token, actor, project, resources = prepare()
    port, metrics_port = free_port(), free_port()
    server = start_uvicorn(port, metrics_port)
    workers = start_workers(1)
    try:
        before = histogram_buckets(metrics_port)
        latencies, counts = asyncio.run(
            measure(f"ws://127.0.0.1:{port}/ws/notify/", token, actor, project, resources)
        )
        after = histogram_buckets(metrics_port)
    finally:
        stop(workers)
        stop([server])
    expected = RATE * SECONDS
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"# {CLIENTS} websocket clients on topic allocations; {expected} bookings at {RATE}/s")
    print(f"realtime.commit_to_client_p50_ms {quantiles[49]:.1f}")
    print(f"realtime.commit_to_client_p95_ms {quantiles[94]:.1f}")
    print(f"realtime.commit_to_client_p99_ms {quantiles[98]:.1f}")
    print(f"realtime.commit_to_client_max_ms {max(latencies):.1f}")
    for name, quantile in (("p50", 0.5), ("p95", 0.95)):
        value = histogram_quantile(quantile, before, after) * 1000
        print(f"realtime.histogram_commit_to_socket_{name}_ms {value:.1f}")
    missing = sum(expected - count for count in counts)
    print(f"realtime.messages_missing {missing}")
    verdict = "meets" if quantiles[94] < TARGET_P95_MS else "ABOVE"
    print(f"realtime.p95 {verdict} target {TARGET_P95_MS} ms")
    if missing:
        sys.exit("some clients did not receive every booking: the figures above are not valid")


if __name__ == "__main__":
    main()
