"""`make bench-graphql`: the project screen (a project, its 100 bookings and their
resources) as one GraphQL query against the REST calls a front end needs for it.

One gunicorn (4 sync workers, production settings) over a database of its own; wrk (16
connections) drives each in turn, rounds alternating so that drift of this shared machine
hits both alike. REST needs three GETs for the screen: the project, its bookings (a page
of 100) and the resources (a page of 100: the list has no filter by id, and here the
project's are all there are). Figures: requests/s, latency p50/p95/p99 of each request,
screens/s (GraphQL: requests/s; REST: requests/s / 3), and the GraphQL/REST ratio of
screens/s (the median of the per-round ratios). Both answers are checked first."""

import json
import os
import signal
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.run import ENV, PYTHON, ROOT, free_port, fresh_database, wait_ready

DURATION = os.environ.get("BENCH_DURATION", "6s")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
BOOKINGS = 100
DATABASE_URL = os.environ.get(
    "BENCH_GRAPHQL_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_graphql"
)
SCREEN = """query($id: Int!) { project(id: $id) { code name
  allocations(first: 100) { totalCount edges { node { id from to status note createdBy
    resource { id name kind hourlyCost skills { name } } } } } } }"""


def prepare() -> tuple[str, int]:
    """A project with BOOKINGS bookings of as many resources, and a Viewer's token."""
    from django.contrib.auth.models import Group

    from apps.accounts.models import User
    from apps.accounts.services import api_token_issue
    from apps.resources import services
    from apps.resources.models import Project, Resource, Skill

    skill = Skill.objects.create(name="welding")
    resources = Resource.objects.bulk_create(
        [Resource(name=f"screen-{n:03d}", kind="person", hourly_cost=40) for n in range(BOOKINGS)]
    )
    for resource in resources:
        resource.skills.add(skill)
    project = Project.objects.create(code="SCREEN-1", name="The project screen")
    start = datetime(2031, 3, 3, 8, tzinfo=UTC)
    services.allocate(
        project_id=project.pk,
        items=[services.AllocationItem(r.pk, start, start + timedelta(hours=4)) for r in resources],
        actor=None,
    )
    user, _ = User.objects.get_or_create(username="bench-viewer")
    user.groups.add(Group.objects.get(name="Viewer"))
    _token, secret = api_token_issue(user=user, ttl=timedelta(hours=2), actor=None)
    return secret, project.pk


def screens(project_id: int) -> dict[str, str]:
    """Each side's requests, as bench/screen.lua reads them: method path, then body."""
    graphql = json.dumps({"query": SCREEN, "variables": {"id": project_id}})
    return {
        "graphql": f"POST /graphql/\n{graphql}\n",
        "rest": (
            f"GET /api/v1/projects/{project_id}/\n\n"
            f"GET /api/v1/allocations/?project={project_id}&page_size=100\n\n"
            "GET /api/v1/resources/?page_size=100\n\n"
        ),
    }


def check(base: str, token: str, project_id: int) -> None:
    """Both sides answer the whole screen (wrk only sees status codes)."""
    import requests

    headers = {"Authorization": f"Bearer {token}"}
    answer = requests.post(
        f"{base}/graphql/", json={"query": SCREEN, "variables": {"id": project_id}},
        headers=headers, timeout=30,
    ).json()  # fmt: skip
    assert "errors" not in answer, answer
    assert len(answer["data"]["project"]["allocations"]["edges"]) == BOOKINGS
    bookings = requests.get(
        f"{base}/api/v1/allocations/", params={"project": project_id, "page_size": 100},
        headers=headers, timeout=30,
    ).json()  # fmt: skip
    assert len(bookings["results"]) == BOOKINGS, bookings


def wrk(base: str, token: str, screen: str) -> dict:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_SCREEN": screen}
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "-s", "bench/screen.lua", base]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    env = {**ENV, "DATABASE_URL": DATABASE_URL}
    fresh_database(env)
    os.environ.update(env)
    import django

    django.setup()
    token, project_id = prepare()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "gunicorn-graphql.log").open("w") as log:
        server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "fusionops.wsgi", "--config",
             "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "4",
                 "METRICS_PORT": str(free_port())},
            stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    sides = screens(project_id)
    try:
        wait_ready(base)
        check(base, token, project_id)
        for screen in sides.values():
            wrk(base, token, screen)  # warm every worker up
        rounds = [{name: wrk(base, token, screen) for name, screen in sides.items()}
                  for _ in range(ROUNDS)]  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report(rounds)


def report(rounds: list[dict]) -> None:
    median = statistics.median
    calls = {"graphql": 1, "rest": 3}
    print(f"# {len(rounds)} rounds of {DURATION} per side, {CONNECTIONS} connections; medians")
    print(f"# the project screen: a project, {BOOKINGS} bookings and their resources")
    for name, per_screen in calls.items():
        runs = [round_[name] for round_ in rounds]
        print(f"# graphql.{name} requests/s by round: " + " ".join(f"{r['rps']:.0f}" for r in runs))
        print(f"graphql.{name}.requests_per_s {median(r['rps'] for r in runs):.1f}")
        print(f"graphql.{name}.screens_per_s {median(r['rps'] for r in runs) / per_screen:.1f}")
        for quantile in ("p50", "p95", "p99"):
            value = median(r[f"{quantile}_ms"] for r in runs)
            print(f"graphql.{name}.latency_{quantile}_ms {value:.2f}")
        print(f"graphql.{name}.errors {sum(r['errors'] for r in runs)}")
    ratio = median(r["graphql"]["rps"] / (r["rest"]["rps"] / 3) for r in rounds)
    print(f"graphql.screens_ratio_graphql_to_rest {ratio:.2f}")
    if any(run["errors"] for round_ in rounds for run in round_.values()):
        sys.exit("some requests failed: the figures above are not valid")


if __name__ == "__main__":
    main()
