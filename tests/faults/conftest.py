"""The fault suite (`make test-faults`) runs on a PostgreSQL cluster and Redis servers of
its own, which its tests take down and bring back; the portal's real processes run on them
under a steady load."""

import re
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from apps.inventory.services import stock_receive
from apps.platform import db_roles
from tests.factories import UserFactory, issue_token
from tests.faults.load import Fixture
from tests.faults.servers import PostgresServer, RedisServer
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.processes import Portal
from tests.resources.factories import ProjectFactory, ResourceFactory

OPENING_STOCK = Decimal(1_000_000)
# Valid however far the clock tests move the portal's clock ahead.
LONG_LIVED = timedelta(days=400)


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(postgres_server):
    """The test database lives in the suite's own cluster (the portal's roles first)."""
    settings.DATABASES["default"].update(HOST="127.0.0.1", PORT=str(postgres_server.port))
    assert connections["default"].settings_dict["PORT"] == str(postgres_server.port)
    settings.DATABASE_ADMIN_URL = postgres_server.admin_url
    with psycopg.connect(postgres_server.admin_url, autocommit=True) as admin:
        db_roles.ensure_roles(
            admin, owner=settings.DATABASE_OWNER_ROLE, runtime=settings.DATABASE_RUNTIME_ROLE
        )


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def load_fixture(fault_portal) -> Fixture:
    writer = UserFactory(roles=["Operator", "Warehouse"])
    item, warehouse = ItemFactory(), WarehouseFactory()
    stock_receive(
        item_id=item.pk, location_id=warehouse.pk, quantity=OPENING_STOCK, actor=None,
        reference="opening stock",
    )  # fmt: skip
    return Fixture(
        url=fault_portal.url,
        token=issue_token(writer, ttl=LONG_LIVED),
        project_id=ProjectFactory().pk,
        resource_ids=[resource.pk for resource in ResourceFactory.create_batch(8)],
        item_id=item.pk,
        location_id=warehouse.pk,
        slots_start=timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2),
    )


@pytest.fixture
def viewer_token() -> str:
    return issue_token(UserFactory(roles=["Viewer"]), ttl=LONG_LIVED)


@pytest.fixture
def portal_clock() -> dict:
    """Environment that sets the portal's clock (none: the machine's)."""
    return {}


@pytest.fixture
def fault_logs(request) -> Path:
    """Where the portal's processes write their output, per test: var/faults/<test>/."""
    logs = Path(settings.BASE_DIR) / "var" / "faults" / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(logs, ignore_errors=True)
    return logs


@pytest.fixture
def fault_portal(redis_server, portal_clock, fault_logs):
    """gunicorn, uvicorn and a worker on the suite's PostgreSQL and its own Redis."""
    # A short lease: what a killed worker held is taken over within seconds.
    running = Portal(
        logs=fault_logs, REDIS_URL=redis_server.url, LOG_LEVEL="ERROR",
        EVENTS_RELAY_LEASE_SECONDS="5", **portal_clock,
    )  # fmt: skip
    yield running
    running.stop()
