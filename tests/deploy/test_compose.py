"""The compose stack: the file is valid for every profile and wires what it promises, its
Keycloak realm matches the portal's settings, its Prometheus configuration loads, and its
proxy (Debian's caddy with deploy/compose/Caddyfile) routes HTTP and websockets to the
portal's real processes."""

import asyncio
import json
import os
import shutil
import subprocess
from datetime import timedelta

import pytest
import requests
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from websockets.asyncio.client import connect

from apps.platform.roles import ROLES
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory, issue_token
from tests.processes import Portal, free_port, start, stop, wait_until
from tests.resources.factories import ProjectFactory, ResourceFactory

ROOT = settings.BASE_DIR
COMPOSE = ROOT / "deploy" / "compose.yaml"
PORTAL_SERVICES = {"keys", "migrate", "web", "ws", "worker"}


def compose_config(*profiles: str) -> dict:
    arguments = [a for profile in profiles for a in ("--profile", profile)]
    result = subprocess.run(
        [ROOT / ".venv-deploy/bin/podman-compose", "--file", COMPOSE, *arguments, "config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ["PATH"]},  # the file's own defaults, not this shell's
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def entrypoint_processes() -> set[str]:
    text = (ROOT / "deploy" / "entrypoint.sh").read_text()
    return {line.strip()[:-1] for line in text.splitlines() if line.startswith("  ") and
            line.strip().endswith(")") and " " not in line.strip()}  # fmt: skip


def test_the_file_is_valid_and_profiles_add_the_identity_provider_and_monitoring():
    assert set(compose_config()["services"]) == {*PORTAL_SERVICES, "postgres", "redis", "proxy"}
    assert {"keycloak"} <= set(compose_config("idp")["services"])
    assert {"prometheus", "grafana"} <= set(compose_config("monitoring")["services"])


def test_portal_services_run_hardened_from_one_image_after_migrate():
    services = compose_config()["services"]
    images = {services[name]["image"] for name in PORTAL_SERVICES}
    assert len(images) == 1
    for name in PORTAL_SERVICES:
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert service["command"][0] in entrypoint_processes(), name
    for name in ("web", "ws", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "healthcheck" in services[name]
    migrate = services["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://fusionops_owner@")
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://fusionops_app@")
    assert services["web"]["environment"]["REALTIME_WS_URL"] == "/ws/notify/"
    # One address: only the proxy publishes a port.
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}


def test_the_keycloak_realm_matches_what_the_portal_is_told_in_idp_env():
    realm = json.loads((ROOT / "deploy/compose/keycloak/fusionops-realm.json").read_text())
    told = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy/compose/idp.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    (client,) = realm["clients"]
    assert (client["clientId"], client["secret"]) == (
        told["OIDC_RP_CLIENT_ID"], told["OIDC_RP_CLIENT_SECRET"],
    )  # fmt: skip
    assert client["redirectUris"] == [
        f"http://localhost:8080{reverse('oidc_authentication_callback')}"
    ]
    assert told["OIDC_OP_ISSUER"].endswith(f"/realms/{realm['realm']}")
    (mapper,) = client["protocolMappers"]
    assert mapper["config"]["claim.name"] == "groups"  # OIDC_ROLES_CLAIM's default
    assert {group["name"] for group in realm["groups"]} == set(ROLES)


def test_the_monitoring_profile_s_prometheus_configuration_loads_and_scrapes_every_process():
    promtool = shutil.which("promtool") or "/usr/bin/promtool"
    configuration = ROOT / "deploy/compose/prometheus/prometheus.yml"
    result = subprocess.run(
        [promtool, "check", "config", configuration], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (job,) = yaml.safe_load(configuration.read_text())["scrape_configs"]
    assert job["static_configs"][0]["targets"] == ["web:9100", "ws:9101", "worker:9102"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_proxy_routes_http_to_web_and_websockets_to_ws(tmp_path):
    portal = Portal()
    port = free_port()
    proxy = start(
        ["caddy", "run", "--config", str(ROOT / "deploy/compose/Caddyfile"), "--adapter",
         "caddyfile"],
        {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
         "PROXY_ADDRESS": f"127.0.0.1:{port}", "WEB_UPSTREAM": f"127.0.0.1:{portal.port}",
         "WS_UPSTREAM": f"127.0.0.1:{portal.ws_port}"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _status(f"{base}/health/ready") == 200, 30)
        # Pages and the API are web's: the websocket process answers them 404.
        assert _status(f"{base}/api/schema/") == 200
        assert _status(f"http://127.0.0.1:{portal.ws_port}/api/schema/") == 404
        token = issue_token(UserFactory(roles=["Viewer"]))
        actor, project, resource = (
            UserFactory(roles=["Operator"]),
            ProjectFactory(),
            ResourceFactory(),
        )
        begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

        async def scenario():
            socket = await connect(
                f"ws://127.0.0.1:{port}/ws/notify/", subprotocols=["fusionops.bearer", token],
                open_timeout=30,
            )  # fmt: skip
            await socket.send(json.dumps({"action": "subscribe", "topics": ["allocations"]}))
            while json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != "subscribed":
                pass
            (booked,) = await asyncio.to_thread(
                allocate,
                project_id=project.pk,
                items=[AllocationItem(resource.pk, begins, begins + timedelta(hours=1))],
                actor=actor,
            )
            while (message := json.loads(await asyncio.wait_for(socket.recv(), 30)))[
                "type"
            ] != "allocationCreated":
                pass
            await socket.close()
            return booked.pk, message["data"]["allocation_id"]

        booked, announced = asyncio.run(scenario())
        assert booked == announced
        # The server-sent event stream is ws's too, passed on event by event.
        events = requests.get(
            f"{base}/api/v1/events/stream/", params={"topics": "allocations"},
            headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=(5, 30),
        )  # fmt: skip
        assert events.headers["Content-Type"].startswith("text/event-stream")
        (booked_later,) = allocate(
            project_id=project.pk,
            items=[AllocationItem(resource.pk, begins + timedelta(hours=2),
                                  begins + timedelta(hours=3))],
            actor=actor,
        )  # fmt: skip
        data = next(line for line in events.iter_lines(decode_unicode=True)
                    if line.startswith("data: "))  # fmt: skip
        events.close()
        assert json.loads(data[6:])["data"]["allocation_id"] == booked_later.pk
    finally:
        stop([proxy])
        portal.stop()


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def test_grafana_is_provisioned_with_the_datasource_and_dashboards_the_stack_mounts():
    grafana = ROOT / "deploy" / "grafana"
    (datasource,) = yaml.safe_load((grafana / "datasources.yaml").read_text())["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
    (provider,) = yaml.safe_load((grafana / "dashboards.yaml").read_text())["providers"]
    mounts = compose_config("monitoring")["services"]["grafana"]["volumes"]
    assert any(str(m).endswith(f":{provider['options']['path']}:ro") for m in mounts), mounts
    for board in (grafana / "dashboards").glob("*.json"):
        for panel in json.loads(board.read_text())["panels"]:
            assert panel["datasource"]["uid"] == datasource["uid"], (board.name, panel["title"])
