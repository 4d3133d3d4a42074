"""`make bench-load`: the portal's mixed workload (bench/locustfile.py: PortalMix) and the
bare view (BareView) under the same Locust load, side by side in one run, on one gunicorn
(4 sync workers, production settings) and one relay worker, over a database of its own.

Steps: each offered rate of BENCH_LOAD_RATES (users sending one request a second) for
BENCH_LOAD_STEP, the two targets alternating; then both held for BENCH_LOAD_HOLD at the
highest rate both sustained with p95 under 200 ms and no errors (500 requests/s when they
do). Figures per step and target: offered and achieved requests/s, p50/p95/p99, failures,
and the portal's ratio to the bare view; for the hold, the same per endpoint.
Locust runs on the same two cores as the portal: both targets pay that alike."""

import csv
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.run import ENV, PYTHON, ROOT, free_port, fresh_database, wait_ready

LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
RATES = [int(rate) for rate in os.environ.get("BENCH_LOAD_RATES", "100,200,300,400,500").split(",")]
STEP = os.environ.get("BENCH_LOAD_STEP", "30s")
HOLD = os.environ.get("BENCH_LOAD_HOLD", "5m")
P95_LIMIT_MS = 200
TOP_RATE = 500
DATABASE_URL = os.environ.get(
    "BENCH_LOAD_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_load"
)
OUT = ROOT / "var" / "bench" / "load"
TARGETS = ("BareView", "PortalMix")  # the users of bench/locustfile.py, in turn


def prepare() -> dict:
    """An Admin's token, a project, 50 resources, 20 items with ample stock in one warehouse,
    and 20 settings for the bare view to list."""
    from django.contrib.auth.models import Group

    from apps.accounts.models import User
    from apps.accounts.services import api_token_issue
    from apps.core.services import system_setting_set
    from apps.inventory import services as inventory
    from apps.inventory.models import Item, Location
    from apps.resources.models import Project, Resource

    user, _ = User.objects.get_or_create(username="bench-load")
    user.groups.add(Group.objects.get(name="Admin"))
    _token, secret = api_token_issue(user=user, ttl=timedelta(hours=6), actor=None)
    resources = Resource.objects.bulk_create(
        [Resource(name=f"load-{n:02d}", kind="person", hourly_cost=40) for n in range(50)]
    )
    warehouse = Location.objects.create(code="LOAD-WH", name="Load warehouse", kind="warehouse")
    items = Item.objects.bulk_create(
        [Item(sku=f"LOAD-{n:02d}", name=f"Load item {n}", unit_price=5) for n in range(20)]
    )
    for item in items:
        inventory.stock_receive(
            item_id=item.pk, location_id=warehouse.pk, quantity=10_000_000, actor=None,
            reference="opening stock",
        )  # fmt: skip
    for n in range(20):
        system_setting_set(key=f"bench.setting-{n:02d}", value={"n": n}, actor=None)
    return {
        "token": secret,
        "project": Project.objects.create(code="LOAD-1", name="Load").pk,
        "resources": [resource.pk for resource in resources],
        "items": [item.pk for item in items],
        "location": warehouse.pk,
        "slots_start": (datetime.now(UTC) + timedelta(days=1))
        .replace(minute=0, second=0, microsecond=0)
        .isoformat(),
    }


def locust(base: str, fixture: dict, user_class: str, rate: int, duration: str) -> dict:
    """One headless Locust run; its figures per endpoint and in aggregate."""
    prefix = OUT / f"{user_class}-{rate}-{duration}"
    subprocess.run(
        [str(LOCUST), "-f", "bench/locustfile.py", "--headless", "--host", base,
         "-u", str(rate), "-r", str(rate), "-t", duration, "--csv", str(prefix),
         "--only-summary", "--loglevel", "WARNING", user_class],
        cwd=ROOT, env={**os.environ, "BENCH_LOAD_FIXTURE": json.dumps(fixture)},
        check=False, capture_output=True,
    )  # fmt: skip
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    return rows


def sustained(result: dict) -> bool:
    total = result["Aggregated"]
    return total["failures"] == 0 and total["p95"] < P95_LIMIT_MS


def line(label: str, rate: int, figures: dict) -> str:
    return (
        f"| {label} | {rate} | {figures['rps']:.0f} | {figures['p50']:.0f} | "
        f"{figures['p95']:.0f} | {figures['p99']:.0f} | {figures['failures']} |"
    )


def set_up(database_url: str, target: str) -> tuple[dict, dict]:
    """A fresh database at `database_url` with prepare()'s rows, Django set up on it in this
    process; returns its environment and the fixture Locust's users read."""
    if not LOCUST.exists():
        sys.exit(f"Locust is missing: make {target} installs it into .venv-bench")
    env = {**ENV, "DATABASE_URL": database_url}
    fresh_database(env)
    os.environ.update(env)
    import django

    django.setup()
    return env, prepare()


def main() -> None:
    env, fixture = set_up(DATABASE_URL, "bench-load")
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = []
    with (OUT / "portal.log").open("w") as log:
        processes.append(subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "fusionops.wsgi", "--config",
             "deploy/gunicorn.conf.py"],
            cwd=ROOT, env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "4",
                           "METRICS_PORT": str(free_port())},
            stdout=log, stderr=log, start_new_session=True,
        ))  # fmt: skip
        processes.append(subprocess.Popen(
            [PYTHON, "manage.py", "run_worker"], cwd=ROOT,
            env={**env, "METRICS_PORT": str(free_port())},
            stdout=log, stderr=log, start_new_session=True,
        ))  # fmt: skip
    try:
        wait_ready(base)
        for user_class in TARGETS:  # warm every worker up
            locust(base, fixture, user_class, 20, "5s")
        steps = []
        for rate in RATES:
            steps.append((rate, {cls: locust(base, fixture, cls, rate, STEP) for cls in TARGETS}))
        both = [rate for rate, result in steps if all(sustained(r) for r in result.values())]
        hold_rate = TOP_RATE if TOP_RATE in both else max(both, default=RATES[0])
        hold = {cls: locust(base, fixture, cls, hold_rate, HOLD) for cls in TARGETS}
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    report(steps, hold_rate, hold, both)


def report(steps, hold_rate: int, hold: dict, both: list[int]) -> None:
    print(f"# steps of {STEP}; each user sends one request a second; times in ms")
    print("| target | offered/s | achieved/s | p50 | p95 | p99 | failures |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rate, result in steps:
        for cls, rows in result.items():
            print(line(cls, rate, rows["Aggregated"]))
    for rate, result in steps:
        ratio = result["PortalMix"]["Aggregated"]["rps"] / result["BareView"]["Aggregated"]["rps"]
        print(f"load.step_{rate}.ratio_portal_to_bare {ratio:.2f}")
    print(f"load.highest_rate_both_sustain_p95_under_{P95_LIMIT_MS}ms {max(both, default=0)}")
    print(f"# held for {HOLD} at {hold_rate}/s, per endpoint")
    print("| endpoint | offered/s | achieved/s | p50 | p95 | p99 | failures |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for cls, rows in hold.items():
        for name, figures in rows.items():
            print(line(f"{cls}: {name}", hold_rate, figures))
    ratio = hold["PortalMix"]["Aggregated"]["rps"] / hold["BareView"]["Aggregated"]["rps"]
    print(f"load.hold_{hold_rate}.ratio_portal_to_bare {ratio:.2f}")


if __name__ == "__main__":
    main()
