"""Resources benchmarks (run by `make bench` through bench/run.py, against its gunicorn).

- booking: POST /api/v1/allocate/ from 8 concurrent clients over 100 resources (never
  colliding), then over 5 resources with random overlapping windows (mostly 409s), against the
  raw database limit (the same exclusion-checked inserts straight into PostgreSQL with
  psycopg, 8 threads) and the framework ceiling (a bare Django view doing one indexed query
  under the same gunicorn). Targets: >= 50% of the ceiling, p95 < 50 ms, zero overlaps;
- matching: POST /api/v1/match/ with 500 demands x 500 resources, end to end (target < 1 s);
- history: GET /api/v1/audit/allocations/{project}/ with one million history rows
  (target p95 < 30 ms).

Usage: python -m bench.resources BASE_URL [booking] [matching] [history]
"""

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import api_token_issue  # noqa: E402
from apps.platform.db import raw_connection  # noqa: E402
from apps.resources.models import Project, Resource, Skill  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "6s")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CLIENTS = 8
RESOURCES = 100
HISTORY_ROWS = int(os.environ.get("BENCH_HISTORY_ROWS", "1000000"))
HISTORY_PROJECTS = 1000
FAR_FUTURE = datetime(2031, 1, 6, tzinfo=UTC)


def operator_token() -> str:
    user, _ = User.objects.get_or_create(username="bench-operator")
    user.groups.add(Group.objects.get(name="Operator"))
    _token, secret = api_token_issue(user=user, ttl=timedelta(hours=2), actor=None)
    return secret


def wrk(url: str, script: str, env: dict, connections: int = CLIENTS) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{DURATION}", "-s", script, url]
    result = subprocess.run(
        args, capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    if result.stderr.strip():
        print("# " + result.stderr.strip().splitlines()[0])
    return json.loads(result.stdout.strip().splitlines()[-1])


def raw_inserts(resource_ids: list[int], project_id: int, base: datetime, seconds: float) -> dict:
    """Exclusion-checked booking inserts straight into PostgreSQL, one per transaction."""
    counts = [0] * CLIENTS
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        with raw_connection() as conn:
            k = index
            while time.perf_counter() < stop_at:
                start = base + timedelta(hours=k // len(resource_ids))
                began = time.perf_counter()
                conn.execute(
                    "INSERT INTO resources_allocation (resource_id, project_id, period, status,"
                    " note, created_at, cancel_reason)"
                    " VALUES (%s, %s, tstzrange(%s, %s, '[)'), 'booked', '', now(), '')",
                    [
                        resource_ids[k % len(resource_ids)],
                        project_id,
                        start,
                        start + timedelta(hours=1),
                    ],
                )
                latencies.append(time.perf_counter() - began)
                counts[index] += 1
                k += CLIENTS

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": sum(counts) / seconds,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM resources_allocation a JOIN resources_allocation b"
            " ON a.resource_id = b.resource_id AND a.id < b.id AND a.period && b.period"
            " WHERE a.status = 'booked' AND b.status = 'booked'"
        )
        return cursor.fetchone()[0]


def booking(base_url: str, token: str) -> None:
    resources = Resource.objects.bulk_create(
        [
            Resource(name=f"bench-{n:03d}", kind="equipment", hourly_cost=Decimal("10"))
            for n in range(RESOURCES)
        ]
    )
    ids = sorted(r.pk for r in resources)
    assert ids == list(range(ids[0], ids[0] + RESOURCES)), "resource ids must be consecutive"
    project = Project.objects.create(code="BENCH-BOOK", name="bench")
    seconds = float(DURATION.rstrip("s"))
    env = {
        "BENCH_TOKEN": token,
        "BENCH_FIRST_RESOURCE": str(ids[0]),
        "BENCH_RESOURCES": str(RESOURCES),
        "BENCH_PROJECT": str(project.pk),
        "BENCH_THREADS": "2",
    }

    def window(round_: int, kind: int) -> datetime:
        # A separate stretch of time per round and scenario, so bookings never collide.
        return FAR_FUTURE + timedelta(days=60 * (round_ * 3 + kind))

    def api(round_: int) -> dict:
        epoch = str(int(window(round_, 0).timestamp()))
        return wrk(
            base_url + "/api/v1/allocate/", "bench/allocate.lua", {**env, "BENCH_BASE_EPOCH": epoch}
        )

    api(ROUNDS)  # warm up
    rounds = []
    for round_ in range(ROUNDS):
        rounds.append(
            {
                "allocate_api": api(round_),
                "bare_view": wrk(
                    base_url + f"/bench/bare-lookup?id={ids[0]}", "bench/latency.lua", {}
                ),
                "raw_db": raw_inserts(ids, project.pk, window(round_, 1), seconds),
            }
        )
    median = statistics.median
    for name in ("allocate_api", "bare_view", "raw_db"):
        print(f"booking.{name}.per_s {median(r[name]['rps'] for r in rounds):.0f}")
    for quantile in ("p50", "p95", "p99"):
        value = median(r["allocate_api"][f"{quantile}_ms"] for r in rounds)
        print(f"booking.allocate_api.{quantile}_ms {value:.2f}")
    print(f"booking.allocate_api.errors {sum(r['allocate_api']['errors'] for r in rounds)}")
    ceiling = median(r["allocate_api"]["rps"] / r["bare_view"]["rps"] for r in rounds)
    raw = median(r["allocate_api"]["rps"] / r["raw_db"]["rps"] for r in rounds)
    p95 = median(r["allocate_api"]["p95_ms"] for r in rounds)
    verdict = "meets" if ceiling >= 0.5 else "BELOW"
    print(f"booking.ratio_to_framework_ceiling {ceiling:.2f} ({verdict} target 0.50)")
    print(f"booking.ratio_to_raw_database {raw:.2f}")
    print(f"booking.p95_verdict {'meets' if p95 < 50 else 'ABOVE'} target < 50 ms")
    # Contended: 8 clients on 5 resources, random overlapping windows.
    epoch = str(int(window(ROUNDS + 1, 0).timestamp()))
    contended_env = {**env, "BENCH_RESOURCES": "5", "BENCH_BASE_EPOCH": epoch}
    contended = wrk(base_url + "/api/v1/allocate/", "bench/allocate_contended.lua", contended_env)
    print(f"booking.contended.per_s {contended['rps']:.0f}")
    print(f"booking.contended.p95_ms {contended['p95_ms']:.2f}")
    print(
        f"booking.contended.outcomes created={contended['created']}"
        f" conflicts={contended['conflicts']} other={contended['other']}"
    )
    overlaps = overlapping_pairs()
    print(
        f"booking.overlapping_pairs {overlaps} ({'meets' if overlaps == 0 else 'FAILS'} target 0)"
    )


def matching(base_url: str, token: str) -> None:
    rng = random.Random(7)
    skills = Skill.objects.bulk_create([Skill(name=f"bench-skill-{n}") for n in range(20)])
    resources = Resource.objects.bulk_create(
        [
            Resource(
                name=f"match-{n:03d}",
                kind=rng.choice(["person", "equipment"]),
                hourly_cost=Decimal(rng.randint(20, 90)),
            )
            for n in range(500)
        ]
    )
    Resource.skills.through.objects.bulk_create(
        [
            Resource.skills.through(resource_id=r.pk, skill_id=s.pk)
            for r in resources
            for s in rng.sample(skills, 3)
        ]
    )
    day = FAR_FUTURE + timedelta(days=900)
    demands = []
    for n in range(500):
        start = day + timedelta(hours=rng.randint(0, 8))
        demands.append(
            {
                "key": f"d{n}",
                "kind": rng.choice(["person", "equipment", None]),
                "skills": [s.name for s in rng.sample(skills, rng.randint(0, 1))],
                "from": start.isoformat(),
                "to": (start + timedelta(hours=rng.randint(1, 6))).isoformat(),
            }
        )
    body = json.dumps({"demands": demands, "resources": [r.pk for r in resources]}).encode()
    timings = []
    for _ in range(6):
        request = urllib.request.Request(
            base_url + "/api/v1/match/",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        began = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        timings.append(time.perf_counter() - began)
    worst = max(timings[1:])
    print(f"match.500x500_median_s {statistics.median(timings[1:]):.3f}")
    print(f"match.500x500_max_s {worst:.3f} ({'meets' if worst < 1 else 'ABOVE'} target < 1 s)")
    print(f"match.assigned {len(answer['assignments'])} of 500")


def history(base_url: str, token: str) -> None:
    """One million history rows over a year and 1,000 projects, then random pages."""
    projects = Project.objects.bulk_create(
        [Project(code=f"HIST-{n:04d}", name="bench") for n in range(HISTORY_PROJECTS)]
    )
    first = projects[0].pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT resources_history_ensure_partitions(14, (now() - interval '13 months')::date)"
        )
        cursor.execute(
            """
            INSERT INTO resources_allocation_history
                (event_id, recorded_at, allocation_id, project_id, resource_id,
                 starts_at, ends_at, status, actor)
            SELECT gen_random_uuid(), now() - (n %% 525600) * interval '1 minute', n,
                   %(first)s + n %% %(projects)s, 1 + n %% 100,
                   now() + n * interval '1 minute',
                   now() + n * interval '1 minute' + interval '1 hour',
                   CASE WHEN n %% 10 = 0 THEN 'cancelled' ELSE 'booked' END, 'bench'
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"first": first, "projects": HISTORY_PROJECTS, "rows": HISTORY_ROWS},
        )
        # As autovacuum leaves an insert-only table: visibility map set, statistics fresh.
        cursor.execute("VACUUM ANALYZE resources_allocation_history")
    rng = random.Random(3)
    opener = urllib.request.build_opener()
    headers = {"Authorization": f"Bearer {token}"}
    per_project = HISTORY_ROWS // HISTORY_PROJECTS
    timings = []
    for n in range(600):
        project = first + rng.randrange(HISTORY_PROJECTS)
        page = rng.randint(1, max(1, per_project // 50))
        request = urllib.request.Request(
            f"{base_url}/api/v1/audit/allocations/{project}/?page={page}&page_size=50",
            headers=headers,
        )
        began = time.perf_counter()
        with opener.open(request, timeout=30) as response:
            assert len(json.loads(response.read())["items"]) == 50
        if n >= 100:  # after warming up
            timings.append(time.perf_counter() - began)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)] * 1000
    print(f"history.rows {HISTORY_ROWS}")
    print(f"history.p50_ms {statistics.median(timings) * 1000:.2f}")
    print(f"history.p95_ms {p95:.2f} ({'meets' if p95 < 30 else 'ABOVE'} target < 30)")


if __name__ == "__main__":
    base = sys.argv[1]
    token = operator_token()
    chosen = set(sys.argv[2:]) or {"booking", "matching", "history"}
    for scenario in (booking, matching, history):
        if scenario.__name__ in chosen:
            scenario(base, token)
