"""`make bench`: run the benchmark scenarios and print one line per figure.

Scenario `settings_api`: an authenticated GET /api/v1/settings/ (bearer token) against a
bare Django view doing the same single query, both under one gunicorn (4 sync workers,
production settings), loaded by wrk from the same machine. The ratio is what
authentication, DRF, throttling and pagination cost. Target: ratio >= 0.60.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "6s")
# Rounds alternate the two scenarios so that drift of this shared machine hits both alike;
# figures are medians over rounds, the ratio the median of the per-round ratios.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
TARGET_RATIO = 0.60

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": os.environ.get(
        "BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench"
    ),
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "API_THROTTLE_USER": "100000000/min",  # throttling runs, but must not refuse the load
    "API_THROTTLE_ANON": "100000000/min",
    "LOG_FORMAT": "json",
    "CACHE_KEY_PREFIX": "fusionops-bench",
}


def manage(*args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def fresh_database(env: dict) -> None:
    """Every run starts from an empty database, so no figure depends on earlier runs."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(
        [PYTHON, "-c", (
            "import psycopg; c = psycopg.connect('dbname=postgres host=127.0.0.1 user=root',"
            f" autocommit=True); c.execute('DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)')"
        )],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    for args in (["ensure_database"], ["migrate", "--noinput"]):
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env={**env, "DATABASE_ROLE": "owner"},
            check=True, capture_output=True,
        )  # fmt: skip


def prepare_data() -> str:
    """Database, a Viewer with a token, and 20 settings (the API lists them all)."""
    fresh_database(ENV)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group\n"
        "from apps.accounts.models import User\n"
        "from apps.core import services\n"
        "user, _ = User.objects.get_or_create(username='bench')\n"
        "user.groups.add(Group.objects.get(name='Viewer'))\n"
        "for n in range(20):\n"
        "    services.system_setting_set(key=f'bench.setting-{n:02d}',"
        " value={'n': n, 'tags': ['a', 'b']}, description='bench', actor=user)\n",
    )
    return manage("issue_token", "bench", "--ttl", "1h").strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not become ready")


def wrk(url: str, headers: list[str], duration: str = DURATION) -> dict:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "-s", "bench/latency.lua"]
    for header in headers:
        args += ["-H", header]
    result = subprocess.run([*args, url], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(scenarios: set[str]) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    token = prepare_data()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "fusionops.wsgi",
                "--config",
                "deploy/gunicorn.conf.py",
            ],
            cwd=ROOT,
            env={**ENV, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "4"},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        wait_ready(base)
        auth = [f"Authorization: Bearer {token}"]
        targets = {
            "settings_api": (base + "/api/v1/settings/", auth),
            "bare_view": (base + "/bench/bare-settings", []),
        }
        if "settings" in scenarios:
            # Warm up every worker's connections and caches, then measure.
            for url, headers in targets.values():
                wrk(url, headers, duration="2s")
            rounds = [
                {name: wrk(*target) for name, target in targets.items()} for _ in range(ROUNDS)
            ]
            report(rounds)
        # Bookings, matching and history against the same server (bench/resources.py).
        resources = sorted(scenarios & {"booking", "matching", "history"})
        if resources:
            subprocess.run(
                [PYTHON, "-m", "bench.resources", base, *resources], cwd=ROOT, env=ENV, check=True
            )
        if "inventory" in scenarios:
            subprocess.run([PYTHON, "-m", "bench.inventory", base], cwd=ROOT, env=ENV, check=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report(rounds: list[dict]) -> None:
    print(f"# {len(rounds)} rounds of {DURATION} per scenario, {CONNECTIONS} connections; medians")
    for name in rounds[0]:
        runs = [round_[name] for round_ in rounds]
        print(f"# {name} requests/s by round: " + " ".join(f"{r['rps']:.0f}" for r in runs))
        print(f"{name}.requests_per_s {statistics.median(r['rps'] for r in runs):.0f}")
        for quantile in ("p50", "p95", "p99"):
            value = statistics.median(r[f"{quantile}_ms"] for r in runs)
            print(f"{name}.latency_{quantile}_ms {value:.2f}")
        print(f"{name}.errors {sum(r['errors'] for r in runs)}")
    ratio = statistics.median(r["settings_api"]["rps"] / r["bare_view"]["rps"] for r in rounds)
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"settings_api.ratio_to_bare {ratio:.2f} ({verdict} target {TARGET_RATIO:.2f})")
    if any(run["errors"] for round_ in rounds for run in round_.values()):
        sys.exit("some requests failed: the figures above are not valid")


def events_scenarios(scenarios: set[str]) -> None:
    """The event backbone's figures (bench/eventlog.py), on a database of their own."""
    env = {
        **ENV,
        "DATABASE_URL": os.environ.get(
            "BENCH_EVENTS_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_events"
        ),
    }
    fresh_database(env)
    for scenario in EVENT_SCENARIOS:
        if scenario in scenarios:
            subprocess.run(
                [PYTHON, "-m", f"bench.{scenario}"],
                cwd=ROOT,
                env={**env, "CHANNEL_LAYER_PREFIX": "fusionops-bench"},
                check=True,
            )


# Scenarios against the gunicorn of main(), then those on a database of their own.
SERVER_SCENARIOS = ("settings", "booking", "matching", "history", "inventory")
EVENT_SCENARIOS = ("eventlog", "orders", "audit", "integrations", "reports", "realtime")

if __name__ == "__main__":
    # `python bench/run.py [SCENARIO ...]`: all of them by default (`make bench
    # BENCH=booking` runs one).
    chosen = set(sys.argv[1:]) or {*SERVER_SCENARIOS, *EVENT_SCENARIOS}
    if unknown := chosen - {*SERVER_SCENARIOS, *EVENT_SCENARIOS}:
        sys.exit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if chosen & set(SERVER_SCENARIOS):
        main(chosen)
    if chosen & set(EVENT_SCENARIOS):
        events_scenarios(chosen)
