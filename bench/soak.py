"""`make bench-soak`: the portal's mixed workload (bench/locustfile.py: PortalMix) held for
BENCH_SOAK_DURATION (30 minutes) at BENCH_SOAK_RATE requests/s, with live clients on the
websocket, while the resident memory of each process, the database connections of each
process kind and the outbox lag are sampled every BENCH_SOAK_SAMPLE seconds.

The rate: 60% of what the mix sustains on this machine (about 85 requests/s at 100 offered in
`make bench-load`), so 50. The processes are started as in production, by
deploy/entrypoint.sh (web: gunicorn with 4 workers, ws: uvicorn, worker), each with its own
PostgreSQL application_name. Figures: per process kind the first, last and largest resident
memory and connection count and their slopes per hour (least squares, over the whole run and
after the first five minutes of warm-up), the outbox lag's median, p95 and largest, and what
the live clients received; every sample is left in var/bench/soak/samples.csv."""

import asyncio
import csv
import json
import os
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from bench.load import locust, set_up
from bench.run import PYTHON, ROOT, free_port, wait_ready

RATE = int(os.environ.get("BENCH_SOAK_RATE", "50"))
DURATION = os.environ.get("BENCH_SOAK_DURATION", "30m")
SAMPLE_SECONDS = float(os.environ.get("BENCH_SOAK_SAMPLE", "30"))
WARM_UP_SECONDS = 300
LIVE_CLIENTS = 5
DATABASE_URL = os.environ.get(
    "BENCH_SOAK_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_soak"
)
OUT = ROOT / "var" / "bench" / "soak"
KINDS = ("web", "ws", "worker")
TOPICS = ["allocations", "inventory", "orders"]


class LiveClient:
    """A browser's socket on the allocations, inventory and orders topics: counts what it
    receives and, when the socket drops, resumes after the last position it saw."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.received = self.reconnects = self.resyncs = 0
        self.position: int | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.follow()), daemon=True)

    async def follow(self) -> None:
        while not self.stopping.is_set():
            try:
                async with connect(
                    self.url, subprotocols=["fusionops.bearer", self.token], open_timeout=5
                ) as socket:
                    request = {
                        "action": "subscribe",
                        "topics": ["allocations", "inventory", "orders"],
                    }
                    if self.position is not None:
                        request["after_position"] = self.position
                    await socket.send(json.dumps(request))
                    while not self.stopping.is_set():
                        try:
                            message = json.loads(await asyncio.wait_for(socket.recv(), 1))
                        except TimeoutError:
                            continue
                        self.take(message)
                        if message.get("type") == "ping":
                            await socket.send(json.dumps({"action": "pong"}))
            except (OSError, WebSocketException, TimeoutError):
                if not self.stopping.is_set():  # not the portal stopping at the end
                    self.reconnects += 1
                    await asyncio.sleep(0.5)

    def take(self, message: dict) -> None:
        if message.get("type") in ("subscribed", "resync"):
            self.resyncs += message["type"] == "resync"
            self.position = message["position"]
        elif "position" in message and "event_id" in message:
            self.received += 1
            self.position = message["position"]


def group_members(leader: int) -> list[int]:
    """The processes of the session `leader` started (gunicorn's master and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[3]) == leader:  # the session id
                members.append(int(entry.name))
    return members


def resident_megabytes(pid: int) -> float:
    try:
        for status_line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if status_line.startswith("VmRSS:"):
                return int(status_line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def sample(processes: dict, started: float) -> dict:
    from django.db import connection

    from apps.eventlog.selectors import outbox_lag_seconds

    row = {"seconds": round(time.monotonic() - started, 1)}
    for kind, process in processes.items():
        members = group_members(process.pid)
        row[f"{kind}_processes"] = len(members)
        row[f"{kind}_rss_mb"] = round(sum(resident_megabytes(pid) for pid in members), 1)
        row[f"{kind}_largest_rss_mb"] = round(max(map(resident_megabytes, members), default=0), 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() GROUP BY 1"
        )
        counts = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM events_delivery WHERE status = 'pending'")
        row["pending_deliveries"] = cursor.fetchone()[0]
    for kind in KINDS:
        row[f"{kind}_connections"] = counts.get(f"fusionops-{kind}", 0)
    row["outbox_lag_s"] = round(outbox_lag_seconds(), 3)
    return row


def sampler(processes: dict, samples: list, done: threading.Event) -> None:
    from django.db import connection

    started = time.monotonic()
    while not done.wait(0 if not samples else SAMPLE_SECONDS):
        samples.append(sample(processes, started))
    samples.append(sample(processes, started))
    connection.close()


def slope_per_hour(samples: list, field: str, *, after: float = 0) -> float:
    points = [(s["seconds"] / 3600, s[field]) for s in samples if s["seconds"] >= after]
    if len(points) < 2:
        return 0.0
    return statistics.linear_regression(*zip(*points, strict=True)).slope


def report(samples: list, result: dict, clients: list) -> None:
    print(f"# {DURATION} at {RATE} requests/s offered, a sample every {SAMPLE_SECONDS:.0f} s")
    print("| process | first | last | largest | slope/h | slope/h after warm-up |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind in KINDS:
        for field, unit in ((f"{kind}_rss_mb", "MB"), (f"{kind}_connections", "connections")):
            values = [s[field] for s in samples]
            print(
                f"| {kind} {unit} | {values[0]:.0f} | {values[-1]:.0f} | {max(values):.0f} | "
                f"{slope_per_hour(samples, field):+.1f} | "
                f"{slope_per_hour(samples, field, after=WARM_UP_SECONDS):+.1f} |"
            )
    lags = sorted(s["outbox_lag_s"] for s in samples)
    print(
        f"soak.outbox_lag_s median {statistics.median(lags):.2f} "
        f"p95 {lags[max(int(len(lags) * 0.95) - 1, 0)]:.2f} largest {lags[-1]:.2f}"
    )
    print(f"soak.pending_deliveries_at_end {samples[-1]['pending_deliveries']}")
    total = result["Aggregated"]
    print(
        f"soak.requests {total['requests']} achieved/s {total['rps']:.1f} "
        f"p50 {total['p50']:.0f} ms p95 {total['p95']:.0f} ms p99 {total['p99']:.0f} ms "
        f"failures {total['failures']}"
    )
    print(
        f"soak.live_clients {len(clients)} received {sum(c.received for c in clients)} "
        f"reconnects {sum(c.reconnects for c in clients)} resyncs {sum(c.resyncs for c in clients)}"
    )


def main() -> None:
    env, fixture = set_up(DATABASE_URL, "bench-soak")
    OUT.mkdir(parents=True, exist_ok=True)
    port, ws_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    run_env = {
        **env, "HOST": "127.0.0.1", "PORT": str(port), "WS_PORT": str(ws_port),
        "LOG_LEVEL": "WARNING",
        "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # fmt: skip
    processes = {}
    with (OUT / "portal.log").open("w") as log:
        for kind in KINDS:
            processes[kind] = subprocess.Popen(
                ["deploy/entrypoint.sh", kind], cwd=ROOT,
                env={**run_env, "METRICS_PORT": str(free_port()), "PGAPPNAME": f"fusionops-{kind}",
                     # gunicorn's workers; uvicorn would read it too, and the ws runs one
                     **({"WEB_CONCURRENCY": "4"} if kind == "web" else {})},
                stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
    samples: list[dict] = []
    done = threading.Event()
    clients = [
        LiveClient(f"ws://127.0.0.1:{ws_port}/ws/notify/", fixture["token"])
        for _ in range(LIVE_CLIENTS)
    ]
    try:
        wait_ready(base)
        wait_ready(f"http://127.0.0.1:{ws_port}")
        for client in clients:
            client.thread.start()
        watcher = threading.Thread(target=sampler, args=(processes, samples, done))
        watcher.start()
        result = locust(base, fixture, "PortalMix", RATE, DURATION)
        time.sleep(5)  # the last events reach the clients
        done.set()
        watcher.join()
    finally:
        done.set()
        for client in clients:
            client.stopping.set()
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=60)
    with (OUT / "samples.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(samples[0]))
        writer.writeheader()
        writer.writerows(samples)
    report(samples, result, clients)


if __name__ == "__main__":
    main()
