"""Every PromQL expression the deployment relies on is real: Debian's Prometheus scrapes
the portal's three processes while a small load runs (bookings and a conflict, stock
falling below its reorder point, an order through the saga, a live client), then every
expression of the dashboards, the alert rules, the canary analysis and the KEDA trigger
is run against what it scraped."""

import asyncio
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings
from django.utils import timezone
from websockets.asyncio.client import connect

from tests.factories import UserFactory, issue_token
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.processes import Portal, free_port, start, stop, wait_until
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEPLOY = settings.BASE_DIR / "deploy"
CANARY_HASH = "test"
METRIC = re.compile(r"\bfusionops_[a-z0-9_]+")


def dashboard_expressions() -> list[str]:
    return [
        target["expr"]
        for board in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
        for panel in json.loads(board.read_text())["panels"]
        for target in panel["targets"]
    ]


def alert_expressions() -> list[str]:
    groups = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def rendered_custom_resource_queries() -> list[str]:
    analysis = yaml.safe_load(
        (DEPLOY / "k8s" / "overlays" / "production" / "web-analysis.yaml").read_text()
    )
    keda = yaml.safe_load((DEPLOY / "k8s" / "base" / "worker-scaledobject.yaml").read_text())
    return [
        *(m["provider"]["prometheus"]["query"].replace("{{args.canary-hash}}", CANARY_HASH)
          for m in analysis["spec"]["metrics"]),
        *(t["metadata"]["query"] for t in keda["spec"]["triggers"]),
    ]  # fmt: skip


class Prometheus:
    def __init__(self, portal: Portal, directory: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The labels Kubernetes would give: the canary and KEDA queries select on them.
        targets = [
            {"targets": [f"127.0.0.1:{portal.metrics_ports[process]}"],
             "labels": {"namespace": "fusionops", "pod": f"fusionops-{process}-{CANARY_HASH}-0"}}
            for process in ("web", "ws", "worker")
        ]  # fmt: skip
        config = directory / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "scrape_configs": [{"job_name": "fusionops", "static_configs": targets}],
                }
            )
        )
        self.process = start(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={directory / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            {"PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert wait_until(self.ready, 30), "Prometheus did not start"

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def query(self, expression: str) -> dict:
        return requests.get(
            f"{self.url}/api/v1/query", params={"query": expression}, timeout=10
        ).json()

    def up(self) -> int:
        return len(self.query("up == 1")["data"]["result"])


def drive_load(portal: Portal) -> None:
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {issue_token(UserFactory(roles=['Admin']))}"
    viewer_token = issue_token(UserFactory(roles=["Viewer"]))
    resource, project = ResourceFactory(), ProjectFactory()
    item, warehouse = ItemFactory(), WarehouseFactory()
    begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    def book(hour: int) -> int:
        at = begins + timedelta(hours=hour)
        return admin.post(f"{portal.url}/api/v1/allocate/", json={
            "project": project.pk,
            "items": [{"resource": resource.pk, "from": at.isoformat(),
                       "to": (at + timedelta(hours=1)).isoformat()}],
        }, timeout=10).status_code  # fmt: skip

    async def live_client_during_bookings():
        socket = await connect(
            f"ws://127.0.0.1:{portal.ws_port}/ws/notify/",
            subprotocols=["fusionops.bearer", viewer_token], open_timeout=30,
        )  # fmt: skip
        await socket.send(json.dumps({"action": "subscribe", "topics": ["allocations"]}))
        while json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != "subscribed":
            pass
        assert await asyncio.to_thread(book, 1) == 201
        assert await asyncio.to_thread(book, 2) == 201
        assert await asyncio.to_thread(book, 1) == 409  # a conflict
        seen = 0
        while seen < 2:
            if json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] == "allocationCreated":
                seen += 1
        await socket.close()

    asyncio.run(live_client_during_bookings())
    refused = requests.get(
        f"{portal.url}/api/v1/settings/", headers={"Authorization": "Bearer fo_nope"}, timeout=10
    )
    assert refused.status_code == 401
    where = {"item": item.pk, "location": warehouse.pk}
    for path, body in (
        ("stock/receive", {**where, "quantity": "10"}),
        ("stock/issue", {**where, "quantity": "6"}),  # 10 -> 4, below the point of 5
    ):
        if path == "stock/issue":
            answer = admin.put(f"{portal.url}/api/v1/stock/thresholds/",
                               json={**where, "reorder_point": "5", "reorder_qty": "0"},
                               timeout=10)  # fmt: skip
            assert answer.status_code == 200, answer.text
        answer = admin.post(f"{portal.url}/api/v1/{path}", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
    order = admin.post(
        f"{portal.url}/api/v1/orders/",
        json={"customer_reference": "ACME", "lines": [{**where, "quantity": "1"}]},
        headers={"Idempotency-Key": "queries-1"},
        timeout=10,
    )
    assert order.status_code == 201, order.text
    url = f"{portal.url}/api/v1/orders/{order.json()['id']}/"
    assert wait_until(lambda: admin.get(url, timeout=10).json()["status"] == "fulfilled", 60)


def test_every_dashboard_alert_canary_and_keda_expression_runs_against_real_series(tmp_path):
    portal = Portal()
    prometheus = None
    try:
        prometheus = Prometheus(portal, tmp_path)
        assert wait_until(lambda: prometheus.up() == 3, 30), "Prometheus scrapes all three"
        drive_load(portal)
        time.sleep(6)  # several scrapes after the load, so that rate() has points
        failures = []
        for expression in dashboard_expressions() + rendered_custom_resource_queries():
            answer = prometheus.query(expression)
            if answer["status"] != "success":
                failures.append(f"does not run: {expression}: {answer.get('error')}")
            elif not answer["data"]["result"]:
                failures.append(f"no series: {expression}")
        # Alerts are quiet under this load; every series they watch must exist.
        for expression in alert_expressions():
            answer = prometheus.query(expression)
            if answer["status"] != "success":
                failures.append(f"does not run: {expression}: {answer.get('error')}")
            for name in set(METRIC.findall(expression)):
                if not prometheus.query(f'count({{__name__="{name}"}})')["data"]["result"]:
                    failures.append(f"no series {name} for the alert {expression}")
        assert failures == [], "\n".join(failures)
    finally:
        if prometheus is not None:
            stop([prometheus.process])
        portal.stop()
