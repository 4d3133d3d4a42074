"""Event backbone benchmarks (run by `make bench` through bench/run.py).

- write overhead: system_setting_set with its event and deliveries versus the same
  service with event emission switched off, each call its own transaction (target <= 1.3x);
- relay throughput: deliveries/s with one and with two `run_worker` processes, from the
  commit of N events to the last delivery settled (target >= 2,000/s with one);
- commit-to-subscriber latency at rest, over LISTEN/NOTIFY (target p95 < 20 ms).
"""

import os
import signal
import statistics
import subprocess
import sys
import time
import uuid

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from apps.core import services as core_services  # noqa: E402
from apps.eventlog.services import event_emit  # noqa: E402
from bench.events import LATENCY_PINGED, THROUGHPUT_GENERATED  # noqa: E402

WRITES = int(os.environ.get("BENCH_WRITES", "2000"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "20000"))
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", "200"))


def write_overhead() -> None:
    def no_event(*args, **kwargs):
        return None

    def write(emit, i):
        core_services.event_emit = emit
        started = time.perf_counter()
        core_services.system_setting_set(key=f"bench.write-{i % 50}", value={"i": i}, actor=None)
        return time.perf_counter() - started

    for i in range(200):  # warm up both paths
        write(event_emit, i), write(no_event, i)
    # Alternate call by call, so that drift of this shared machine (checkpoints, neighbours)
    # hits both alike; medians keep one stalled call from deciding the figure.
    with_events, without = [], []
    for i in range(WRITES):
        with_events.append(write(event_emit, i))
        without.append(write(no_event, i))
    core_services.event_emit = event_emit
    a, b = statistics.median(with_events), statistics.median(without)
    print(f"write.with_event_ms {a * 1000:.3f}")
    print(f"write.without_event_ms {b * 1000:.3f}")
    verdict = "meets" if a / b <= 1.3 else "ABOVE"
    print(f"write.overhead_ratio {a / b:.2f} ({verdict} target 1.30)")
    mean_ratio = statistics.fmean(with_events) / statistics.fmean(without)
    print(f"write.overhead_ratio_of_means {mean_ratio:.2f}")


def pending(prefix: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM events_delivery WHERE event_type LIKE %s AND status = 'pending'",
            [prefix + "%"],
        )
        return cursor.fetchone()[0]


def start_workers(count: int) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            env={**os.environ, "LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(count)
    ]
    time.sleep(3)  # Django started, LISTENing
    return workers


def stop(workers) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def relay_throughput(worker_count: int) -> None:
    # Seal what earlier scenarios wrote, so the workers only relay during the measurement.
    from apps.eventlog.sealing import audit_seal_pending

    while audit_seal_pending():
        pass
    workers = start_workers(worker_count)
    try:
        run = uuid.uuid4().hex
        with transaction.atomic():
            for _ in range(DELIVERIES):
                event_emit(THROUGHPUT_GENERATED, aggregate_id=run, payload={"run": run}, actor=None)
        committed = time.perf_counter()
        while pending("bench.throughput") and time.perf_counter() - committed < 300:
            time.sleep(0.01)
        elapsed = time.perf_counter() - committed
    finally:
        stop(workers)
    rate = DELIVERIES / elapsed
    target = " (target 2000)" if worker_count == 1 else ""
    verdict = (" meets" if rate >= 2000 else " BELOW") if worker_count == 1 else ""
    print(f"relay.deliveries_per_s.workers_{worker_count} {rate:.0f}{verdict}{target}")


def latency() -> None:
    workers = start_workers(1)
    try:
        samples = []
        for _ in range(LATENCY_SAMPLES):
            with transaction.atomic():
                recorded = event_emit(LATENCY_PINGED, aggregate_id="1", payload={}, actor=None)
            committed = time.time()
            deadline = time.perf_counter() + 5
            while (handled := cache.get(f"bench:handled:{recorded.id}")) is None:
                if time.perf_counter() > deadline:
                    raise SystemExit("an event was not handled within 5 s")
                time.sleep(0.0005)
            samples.append((handled - committed) * 1000)
            time.sleep(0.02)  # at rest: the worker is idle again before the next event
    finally:
        stop(workers)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"relay.latency_p50_ms {statistics.median(samples):.2f}")
    verdict = "meets" if p95 < 20 else "ABOVE"
    print(f"relay.latency_p95_ms {p95:.2f} ({verdict} target < 20)")


if __name__ == "__main__":
    assert "bench" in settings.DATABASES["default"]["NAME"], "runs on a bench database only"
    write_overhead()
    relay_throughput(1)
    relay_throughput(2)
    latency()
