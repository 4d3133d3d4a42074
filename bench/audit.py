"""Audit log benchmarks (run by `make bench` through bench/run.py).

- sealing throughput: events sealed per second, from N committed unsealed events;
- backup and restore-check time for a log of N events (BENCH_AUDIT_EVENTS, default
  100,000; the figures in the issue notes are for 1,000,000).
"""

import os
import tempfile
import time
import uuid

import django

django.setup()

from django.db import transaction  # noqa: E402

from apps.eventlog.backups import backup_create, restore_check  # noqa: E402
from apps.eventlog.sealing import audit_seal_pending  # noqa: E402
from apps.eventlog.services import event_emit  # noqa: E402
from bench.events import AUDIT_RECORDED  # noqa: E402

EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "100000"))
PER_TRANSACTION = 1000


def record() -> None:
    run = uuid.uuid4().hex
    for start in range(0, EVENTS, PER_TRANSACTION):
        with transaction.atomic():
            for _ in range(min(PER_TRANSACTION, EVENTS - start)):
                event_emit(AUDIT_RECORDED, aggregate_id=run, payload={"run": run}, actor=None)


def main() -> None:
    started = time.perf_counter()
    record()
    print(f"audit.events {EVENTS}")
    print(f"audit.record_events_per_s {EVENTS / (time.perf_counter() - started):.0f}")
    started, sealed = time.perf_counter(), 0
    while count := audit_seal_pending():
        sealed += count
    elapsed = time.perf_counter() - started
    print(f"audit.seal_events_per_s {sealed / elapsed:.0f} ({sealed} sealed in {elapsed:.1f} s)")
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        dump = backup_create(directory=directory)
        print(f"audit.backup_seconds {time.perf_counter() - started:.1f}")
        print(f"audit.backup_megabytes {dump.stat().st_size / 1e6:.1f}")
        started = time.perf_counter()
        check = restore_check(dump)
        print(f"audit.restore_check_seconds {time.perf_counter() - started:.1f}")
        if not check.ok:
            raise SystemExit("restore_check failed: " + "; ".join(check.findings))


if __name__ == "__main__":
    main()
