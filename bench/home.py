"""The admin home's render time and queries (`make bench-home`): on a database of its own,
with the demo data, then again with a million events in the sealed log
(BENCH_HOME_EVENTS), as an Admin sees it (every section, the event log's included).
Renders go through Django's test client in one process: the figure is the page's own
cost, without a server's."""

import os
import statistics
import subprocess
import sys
import time
import uuid

from bench.run import ENV, PYTHON, ROOT, fresh_database

EVENTS = int(os.environ.get("BENCH_HOME_EVENTS", "1000000"))
RENDERS = int(os.environ.get("BENCH_HOME_RENDERS", "30"))
PER_TRANSACTION = 1000
HOME_ENV = {
    **ENV,
    "DATABASE_URL": os.environ.get(
        "BENCH_HOME_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_home"
    ),
}


def measure(label: str) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    admin, _created = User.objects.get_or_create(username="bench-admin", is_staff=True)
    admin.groups.add(Group.objects.get(name="Admin"))
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(admin)
    warm = client.get("/admin/")  # caches, templates
    assert warm.status_code == 200, warm.status_code
    timings = []
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/admin/")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    events = connection.cursor()
    events.execute("SELECT count(*) FROM audit_event")
    print(f"home.{label}.events {events.fetchone()[0]}")
    print(f"home.{label}.render_ms_median {statistics.median(timings) * 1000:.1f}")
    print(f"home.{label}.render_ms_p95 {statistics.quantiles(timings, n=20)[18] * 1000:.1f}")
    print(f"home.{label}.queries {len(queries)}")
    figures = client.get("/admin/home/figures")
    started = time.perf_counter()
    for _ in range(RENDERS):
        client.get("/admin/home/figures")
    print(f"home.{label}.figures_ms_mean {(time.perf_counter() - started) / RENDERS * 1000:.1f}")
    assert figures.status_code == 200


def record_events() -> None:
    from django.db import connection, transaction

    from apps.eventlog.sealing import audit_seal_pending
    from apps.eventlog.services import event_emit
    from bench.events import AUDIT_RECORDED

    run = uuid.uuid4().hex
    started = time.perf_counter()
    for start in range(0, EVENTS, PER_TRANSACTION):
        with transaction.atomic():
            for _ in range(min(PER_TRANSACTION, EVENTS - start)):
                event_emit(AUDIT_RECORDED, aggregate_id=run, payload={"run": run}, actor=None)
    print(f"# {EVENTS} events recorded in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    while audit_seal_pending():
        pass
    print(f"# and sealed in {time.perf_counter() - started:.0f} s")
    # What autovacuum does within a minute of such a load: without fresh statistics the
    # seal lag's query plans a scan of every seal.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_event")
        cursor.execute("ANALYZE audit_seal")


def in_django(step: str) -> None:
    import django

    django.setup()
    {"demo": lambda: measure("demo"), "record": record_events,
     "events": lambda: measure("million_events")}[step]()  # fmt: skip


def main() -> None:
    fresh_database(HOME_ENV)
    subprocess.run(
        [PYTHON, "manage.py", "load_demo_data"], cwd=ROOT,
        env={**HOME_ENV, "DATABASE_ROLE": "owner"}, check=True, capture_output=True,
    )  # fmt: skip
    for step in ("demo", "record", "events"):
        subprocess.run([PYTHON, "-m", "bench.home", step], cwd=ROOT, env=HOME_ENV, check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        in_django(sys.argv[1])
    else:
        main()
