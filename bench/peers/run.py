"""`make bench-peers`: the portal's audit write and relay against the libraries users would
pick instead, side by side in one run, on a database of its own (bench.peers.settings).

- Audit write overhead: one counter model per mechanism (bench/peers/models.py), the same
  create and the same update, each its own transaction, alternating mechanism by mechanism
  so that drift of this shared machine hits all alike; medians, and each mechanism's ratio
  to the same write with no audit. The portal's mechanism is event_emit in the writer's
  transaction (the event is sealed later, by the worker).
- Deliveries per worker: BENCH_PEERS_JOBS events with one subscriber each, recorded in one
  transaction, relayed by one `run_worker`; against the same number of no-op procrastinate
  jobs deferred in one transaction through its Django connector and run by one
  `procrastinate worker` (concurrency 1). From the commit to the last settled; the rounds
  alternate, figures are medians.
"""

import os
import statistics
import subprocess
import sys
import time
import uuid

from bench.run import ENV, PYTHON, ROOT, fresh_database

WRITES = int(os.environ.get("BENCH_PEERS_WRITES", "2000"))
WARM_UP = 200
JOBS = int(os.environ.get("BENCH_PEERS_JOBS", "10000"))
ROUNDS = int(os.environ.get("BENCH_PEERS_ROUNDS", "3"))
DATABASE_URL = os.environ.get(
    "BENCH_PEERS_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_peers"
)


def prepare() -> None:
    env = {
        **ENV,
        "DJANGO_SETTINGS_MODULE": "bench.peers.settings",
        "DATABASE_URL": DATABASE_URL,
        "LOG_LEVEL": "WARNING",  # a log line per deferred job would weigh on that peer only
    }
    fresh_database(env)
    for args in (["migrate", "--run-syncdb", "--noinput"], ["pgtrigger", "install"]):
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT, env={**env, "DATABASE_ROLE": "owner"}, check=True, capture_output=True,
        )  # fmt: skip
    os.environ.update(env)  # this process and the workers it starts
    import django

    django.setup()


def audit_writes() -> None:
    from django.db import transaction

    from apps.eventlog.services import event_emit
    from bench.peers import models
    from bench.peers.events import COUNTER_WRITTEN

    def emitted(counter) -> None:
        event_emit(
            COUNTER_WRITTEN,
            aggregate_id=counter.pk,
            payload={
                "id": counter.pk, "sku": counter.sku,
                "quantity": counter.quantity, "note": counter.note,
            },
            actor=None,
        )  # fmt: skip

    mechanisms = {
        "plain": (models.PlainCounter, None),
        "event_emit": (models.EmittedCounter, emitted),
        "simple_history": (models.SimpleHistoryCounter, None),
        "auditlog": (models.AuditlogCounter, None),
        "pghistory": (models.PghistoryCounter, None),
    }
    timings = {name: {"create": [], "update": []} for name in mechanisms}
    for i in range(WARM_UP + WRITES):
        names = list(mechanisms)
        names = names[i % len(names) :] + names[: i % len(names)]  # nobody always goes first
        for name in names:
            model, audit = mechanisms[name]
            started = time.perf_counter()
            with transaction.atomic():
                counter = model.objects.create(sku=f"S-{i}", quantity=i)
                if audit:
                    audit(counter)
            created = time.perf_counter()
            with transaction.atomic():
                counter.quantity += 1
                counter.note = f"update {i}"
                counter.save()
                if audit:
                    audit(counter)
            updated = time.perf_counter()
            if i >= WARM_UP:
                timings[name]["create"].append(created - started)
                timings[name]["update"].append(updated - created)
    medians = {
        name: {write: statistics.median(samples) for write, samples in writes.items()}
        for name, writes in timings.items()
    }
    for name, writes in medians.items():
        for write, seconds in writes.items():
            ratio = seconds / medians["plain"][write]
            print(f"peers.audit.{name}.{write}_ms {seconds * 1000:.3f} (x{ratio:.2f} of plain)")
    for name in mechanisms:
        if name in ("plain", "event_emit"):
            continue
        for write in ("create", "update"):
            ratio = medians["event_emit"][write] / medians[name][write]
            print(f"peers.audit.event_emit_to_{name}.{write} {ratio:.2f}")


def relay_rate() -> float:
    from django.db import transaction

    from apps.eventlog.sealing import audit_seal_pending
    from apps.eventlog.services import event_emit
    from bench.eventlog import pending, start_workers, stop
    from bench.events import THROUGHPUT_GENERATED

    while audit_seal_pending():  # the worker relays only what this round records
        pass
    workers = start_workers(1)
    try:
        run = uuid.uuid4().hex
        with transaction.atomic():
            for _ in range(JOBS):
                event_emit(THROUGHPUT_GENERATED, aggregate_id=run, payload={"run": run}, actor=None)
        committed = time.perf_counter()
        while pending("bench.throughput") and time.perf_counter() - committed < 300:
            time.sleep(0.01)
        return JOBS / (time.perf_counter() - committed)
    finally:
        stop(workers)


def procrastinate_rate() -> float:
    from django.db import connection, transaction

    from bench.eventlog import stop
    from bench.peers.tasks import noop

    worker = subprocess.Popen(
        [PYTHON, "manage.py", "procrastinate", "worker", "--concurrency", "1"],
        cwd=ROOT, env={**os.environ, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    time.sleep(3)  # Django started, listening

    def unfinished() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
            )
            return cursor.fetchone()[0]

    try:
        with transaction.atomic():
            for _ in range(JOBS):
                noop.defer()
        committed = time.perf_counter()
        while unfinished() and time.perf_counter() - committed < 300:
            time.sleep(0.01)
        if unfinished():
            sys.exit("procrastinate did not finish its jobs within 300 s")
        return JOBS / (time.perf_counter() - committed)
    finally:
        stop([worker])


def deliveries() -> None:
    relay, queue = [], []
    for _ in range(ROUNDS):
        relay.append(relay_rate())
        queue.append(procrastinate_rate())
    a, b = statistics.median(relay), statistics.median(queue)
    print(f"peers.relay.deliveries_per_s {a:.0f} (rounds {', '.join(f'{r:.0f}' for r in relay)})")
    print(f"peers.procrastinate.jobs_per_s {b:.0f} (rounds {', '.join(f'{r:.0f}' for r in queue)})")
    print(f"peers.relay_to_procrastinate {a / b:.2f}")


if __name__ == "__main__":
    prepare()
    audit_writes()
    deliveries()
