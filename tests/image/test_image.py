"""The image as an SRE runs it: `migrate`, then `web`, `ws` and `worker` containers on the
host network against this machine's PostgreSQL and Redis, checked from outside only.

Run by `make image-test` (which builds the image first); not part of `make test`."""

import asyncio
import json
import re
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from psycopg import sql
from websockets.asyncio.client import connect

from tests.processes import free_port, wait_until

pytestmark = pytest.mark.image

CONTAINERS_CONF = settings.BASE_DIR / "deploy" / "podman" / "containers.conf"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
RUNTIME_UID = 10001
# What a proxy in front of the portal says; production settings redirect plain HTTP.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def podman(*args: str, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["podman", *args],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF": str(CONTAINERS_CONF)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return result


def hardened(*args: str) -> list[str]:
    """As the Kubernetes manifests run it: read-only root, no capabilities, no escalation."""
    return [
        "--network", "host", "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",  # noqa: S108
        "--security-opt", "no-new-privileges", *args,
    ]  # fmt: skip


@dataclass
class Deployment:
    image: str
    database: str
    env: dict
    web: str = ""
    ws: str = ""
    containers: dict = field(default_factory=dict)
    metrics_ports: dict = field(default_factory=dict)

    def env_args(self, **overrides) -> list[str]:
        merged = {**self.env, **overrides}
        return [
            argument for name, value in merged.items() for argument in ("-e", f"{name}={value}")
        ]

    def run(self, *command: str, **env) -> str:
        """A one-off container of the image (the `manage` entry, say); its stdout."""
        result = podman("run", "--rm", *hardened(*self.env_args(**env)), self.image, *command)
        return result.stdout

    def start(self, process: str) -> None:
        name = f"{self.env['CHANNEL_LAYER_PREFIX']}-{process}"
        self.metrics_ports[process] = free_port()
        env = self.env_args(METRICS_PORT=str(self.metrics_ports[process]))
        podman("run", "--detach", "--name", name, *hardened(*env), self.image, process)
        self.containers[process] = name

    def query(self, statement: str, params=()) -> list[tuple]:
        with psycopg.connect(ADMIN_URL, dbname=self.database, autocommit=True) as connection:
            return connection.execute(statement, params).fetchall()


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=3).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def image(request) -> str:
    return request.config.getoption("--image")


@pytest.fixture(scope="module")
def deployment(image):
    run = uuid.uuid4().hex[:8]
    database = f"fusionops_image_{run}"
    web_port, ws_port = free_port(), free_port()
    deployment = Deployment(
        image=image,
        database=database,
        env={
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_SIGNING_KEYS": json.dumps({"image-1": secrets.token_urlsafe(40)}),
            "AUDIT_SIGNING_KEY_ID": "image-1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://{settings.DATABASE_RUNTIME_ROLE}@127.0.0.1:5432/{database}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CHANNEL_LAYER_PREFIX": f"fo-image-{run}",
            "CACHE_KEY_PREFIX": f"fo-image-{run}",
            "HOST": "127.0.0.1",
            "PORT": str(web_port),
            "WS_PORT": str(ws_port),
            "WEB_CONCURRENCY": "2",
        },
        web=f"http://127.0.0.1:{web_port}",
        ws=f"ws://127.0.0.1:{ws_port}/ws/notify/",
    )
    try:
        deployment.run(
            "migrate",
            DATABASE_ADMIN_URL=ADMIN_URL,
            DATABASE_URL=f"postgres://{settings.DATABASE_OWNER_ROLE}@127.0.0.1:5432/{database}",
        )
        for process in ("web", "ws", "worker"):
            deployment.start(process)
        assert wait_until(lambda: ready(f"{deployment.web}/health/ready"), 90), logs(deployment)
        ws_health = f"http://127.0.0.1:{ws_port}/health/ready"
        assert wait_until(lambda: ready(ws_health), 60), logs(deployment)
        yield deployment
    finally:
        for name in deployment.containers.values():
            podman("rm", "--force", "--time", "5", name, check=False)
        drop_database(database)


def logs(deployment: Deployment) -> str:
    return "\n".join(
        f"--- {name}\n{podman('logs', '--tail', '40', name, check=False).stderr}"
        for name in deployment.containers.values()
    )


def admin_token(deployment: Deployment) -> str:
    deployment.run("manage", "create_user", "image-admin", "--role", "Admin")
    return deployment.run("manage", "issue_token", "image-admin", "--ttl", "1h").strip()


def test_migrate_sets_up_the_schema_and_partitions_and_loads_no_demo_data(deployment):
    assert deployment.query("SELECT count(*) FROM resources_resource") == [(0,)]
    assert deployment.query("SELECT count(*) FROM inventory_item") == [(0,)]
    partitions = deployment.query(
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_event'::regclass"
    )[0][0]
    assert partitions >= 12  # this month and the next eleven, production's default
    # The portal's processes connect as the runtime role, never as the owner.
    roles = deployment.query(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
        "AND usename <> 'postgres'"
    )
    assert roles == [(settings.DATABASE_RUNTIME_ROLE,)]


def test_a_booking_through_the_api_reaches_a_websocket_and_the_worker_relays_it(deployment):
    token = admin_token(deployment)
    api = requests.Session()
    api.headers.update({"Authorization": f"Bearer {token}", **BEHIND_TLS})
    resource = api.post(
        f"{deployment.web}/api/v1/resources/",
        json={"name": "Forklift 7", "kind": "equipment", "hourly_cost": "40.00"},
        timeout=10,
    )
    assert resource.status_code == 201, resource.text
    project = api.post(
        f"{deployment.web}/api/v1/projects/", json={"code": "IMG-1", "name": "Image"}, timeout=10
    )
    assert project.status_code == 201, project.text
    begins = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    async def scenario():
        socket = await connect(
            deployment.ws, subprotocols=["fusionops.bearer", token], open_timeout=30
        )
        await socket.send(json.dumps({"action": "subscribe", "topics": ["allocations"]}))
        while json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != "subscribed":
            pass
        booked = await asyncio.to_thread(
            api.post,
            f"{deployment.web}/api/v1/allocate/",
            json={
                "project": project.json()["id"],
                "items": [
                    {
                        "resource": resource.json()["id"],
                        "from": begins.isoformat(),
                        "to": (begins + timedelta(hours=2)).isoformat(),
                    }
                ],
            },
            timeout=10,
        )
        assert booked.status_code == 201, booked.text
        allocation_id = booked.json()["allocations"][0]["id"]
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if message["type"] == "allocationCreated":
                break
        await socket.close()
        return allocation_id, message

    allocation_id, message = asyncio.run(scenario())
    assert message["data"]["allocation_id"] == allocation_id

    def relayed():
        (done, total), = deployment.query(
            "SELECT count(*) FILTER (WHERE d.status = 'done'), count(*) FROM events_delivery d "
            "JOIN audit_event e ON e.id = d.event_id "
            "WHERE e.type = 'resources.allocation.created' AND e.aggregate_id = %s",
            [str(allocation_id)],
        )  # fmt: skip
        return total > 0 and done == total

    assert wait_until(relayed, 30), "the worker hands the booking's event to its subscribers"


def test_each_process_serves_its_own_metrics_and_none_on_the_public_port(deployment):
    def scrape(process):
        url = f"http://127.0.0.1:{deployment.metrics_ports[process]}/metrics"
        return requests.get(url, timeout=5).text

    assert "fusionops_django_http_requests_total_by_method_total" in scrape("web")
    assert "fusionops_realtime_connections" in scrape("ws")
    assert wait_until(lambda: "fusionops_outbox_lag_seconds " in scrape("worker"), 15)
    public = requests.get(f"{deployment.web}/metrics", headers=BEHIND_TLS, timeout=5)
    assert public.status_code == 404


def test_every_process_runs_as_the_unprivileged_user_on_a_read_only_root(deployment):
    every_uid = (
        "import os; print(sorted({os.stat('/proc/' + p).st_uid "
        "for p in os.listdir('/proc') if p.isdigit()}))"
    )
    for process, name in deployment.containers.items():
        assert podman("inspect", "--format", "{{.Config.User}}", name).stdout.strip() == (
            f"{RUNTIME_UID}:{RUNTIME_UID}"
        ), process
        uids = podman("exec", name, "python", "-c", every_uid).stdout.strip()
        assert uids == f"[{RUNTIME_UID}]", (process, uids)
        written = podman("exec", name, "touch", "/opt/fusionops/app/x", check=False)
        assert written.returncode != 0, f"{process} could write to its root filesystem"


def test_the_image_carries_its_build_and_labels_and_no_compilers(deployment, image):
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True
    ).stdout.strip()
    labels = json.loads(podman("image", "inspect", image).stdout)[0]["Labels"]
    assert labels["org.opencontainers.image.revision"] == revision
    assert labels["org.opencontainers.image.version"]
    assert "org.opencontainers.image.source" in labels
    version = requests.get(f"{deployment.web}/version", headers=BEHIND_TLS, timeout=10).json()
    assert version["build"] == revision
    tools = podman(
        "run", "--rm", "--entrypoint", "sh", image, "-c",
        "for tool in gcc cc c++ make; do command -v $tool; done; python -m pip --version",
        check=False,
    )  # fmt: skip
    assert tools.stdout.strip() == "", tools.stdout
    assert "No module named pip" in tools.stderr


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_sbom_lists_exactly_the_python_environment_of_the_image(image, request):
    sbom = json.loads(Path(request.config.getoption("--sbom")).read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    listed = {(normalised(c["name"]), c["version"]) for c in sbom["components"]}
    installed = json.loads(
        podman(
            "run", "--rm", "--entrypoint", "python", image, "-c",
            "import importlib.metadata as m, json; "
            "print(json.dumps([[d.metadata['Name'], d.version] for d in m.distributions()]))",
        ).stdout
    )  # fmt: skip
    assert {(normalised(name), version) for name, version in installed} == listed


def test_the_image_serves_its_charts_and_speaks_russian(deployment):
    # Chart.js from the image's own assets stage (no CDN), and the compiled catalogue.
    chart = requests.get(
        f"{deployment.web}/static/vendor/chart.js/chart.umd.min.js", headers=BEHIND_TLS, timeout=10
    )
    assert chart.status_code == 200 and b"Chart.js v4" in chart.content[:200]
    login = requests.get(
        f"{deployment.web}/admin/login/",
        headers={**BEHIND_TLS, "Accept-Language": "ru"},
        timeout=10,
    )
    assert login.status_code == 200 and 'lang="ru"' in login.text
    assert "Язык" in login.text  # the language switcher's label, from locale/ru


def test_each_process_stops_gracefully_on_sigterm_within_the_grace_period(deployment):
    for process, name in deployment.containers.items():
        started = time.monotonic()
        podman("stop", "--time", "30", name)
        took = time.monotonic() - started
        code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        assert code == "0", (process, code, logs(deployment))
        assert took < 30, (process, took)


def test_keys_are_made_once_into_a_volume_and_read_from_files(image):
    volume = f"fusionops-keys-{uuid.uuid4().hex[:8]}"
    keys = f"{volume}:/var/lib/fusionops/keys"
    # The key id the keys are made under is the one the portal must be told.
    make_keys = ("run", "--rm", *hardened("-v", keys, "-e", "AUDIT_SIGNING_KEY_ID=first"), image)
    try:
        made = podman(*make_keys, "keys", "/var/lib/fusionops/keys")
        assert "Made /var/lib/fusionops/keys/secret_key" in made.stdout
        again = podman(*make_keys, "keys", "/var/lib/fusionops/keys")
        assert again.stdout == "", "the keys are made once, never replaced"
        settings_seen = podman(
            "run", "--rm", *hardened(
                "-v", f"{keys}:ro",
                "-e", "SECRET_KEY_FILE=/var/lib/fusionops/keys/secret_key",
                "-e", "AUDIT_SIGNING_KEYS_FILE=/var/lib/fusionops/keys/audit_signing_keys",
                "-e", "AUDIT_SIGNING_KEY_ID=first",
            ), image, "manage", "shell", "--verbosity", "0", "-c",
            "from django.conf import settings; "
            "print(len(settings.SECRET_KEY), sorted(settings.AUDIT_SIGNING_KEYS))",
        )  # fmt: skip
        assert settings_seen.stdout.split() == ["86", "['first']"]
    finally:
        podman("volume", "rm", "--force", volume, check=False)
