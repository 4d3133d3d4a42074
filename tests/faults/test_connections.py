"""The database connections break under load (a network fault between the portal and
PostgreSQL, made by a proxy in the test): no partial write, claims' leases expire and their
deliveries complete, and nothing accepted is lost."""

import time

import pytest
from django.conf import settings
from django.db import connections

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.processes import Portal
from tests.proxy import TcpProxy

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOAD_BEFORE_SECONDS = 3


@pytest.fixture
def proxy(postgres_server):
    between = TcpProxy("127.0.0.1", postgres_server.port)
    yield between
    between.close()


@pytest.fixture
def fault_portal(proxy, redis_server, fault_logs):
    """The suite's portal, its every database connection through the proxy."""
    database = connections["default"].settings_dict["NAME"]
    running = Portal(
        logs=fault_logs,
        DATABASE_URL=f"postgres://{settings.DATABASE_RUNTIME_ROLE}@127.0.0.1:{proxy.port}/{database}",
        REDIS_URL=redis_server.url, LOG_LEVEL="ERROR", EVENTS_RELAY_LEASE_SECONDS="5",
    )  # fmt: skip
    yield running
    running.stop()


def test_connections_cut_mid_transaction_and_mid_claim_leave_no_partial_write(
    proxy, fault_portal, load_fixture, viewer_token, record_property
):
    """Every connection of web, ws and worker is cut, five times a second apart, while
    writes and the relay's claims are in flight; new ones are refused for a moment."""
    follower = LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start()
    load = SteadyLoad(load_fixture).start()
    time.sleep(LOAD_BEFORE_SECONDS)
    for _ in range(5):
        proxy.cut()
        time.sleep(0.3)
        proxy.restore()
        time.sleep(1)
    time.sleep(LOAD_BEFORE_SECONDS)
    load.stop()

    assert fault_portal.worker.poll() is None
    table = assert_nothing_lost(load, [follower])
    assert table["503"] > 0, "the cuts must have been felt"
    record_property("fault_table", table)
    print(f"\npostgresql connections cut: {table}")
