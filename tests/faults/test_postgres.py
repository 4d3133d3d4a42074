"""PostgreSQL goes away under load and comes back: the portal answers 503 problems with
Retry-After meanwhile, recovers on its own, and nothing it accepted is lost."""

import time

import pytest
import requests
from django.db import connections

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.processes import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOAD_BEFORE_SECONDS = 3
RECOVERY_DEADLINE_SECONDS = 15


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v1/resources/?page_size=1", timeout=5).status_code == 401
    except requests.RequestException:
        return False


def ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/health/ready", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.mark.parametrize("down_seconds", [0, 10], ids=["fast-restart", "slow-restart"])
def test_a_postgresql_restart_under_load_loses_nothing_and_heals_itself(
    postgres_server, fault_portal, load_fixture, viewer_token, down_seconds, record_property
):
    follower = LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start()
    load = SteadyLoad(load_fixture).start()
    time.sleep(LOAD_BEFORE_SECONDS)

    connections.close_all()  # the test's own connection goes down with the server too
    postgres_server.stop("fast")
    time.sleep(down_seconds)
    postgres_server.start()
    back_at = time.monotonic()

    assert wait_until(lambda: ready(fault_portal.url), RECOVERY_DEADLINE_SECONDS), "not ready"
    recovered_in = time.monotonic() - back_at
    time.sleep(LOAD_BEFORE_SECONDS)  # the load goes on after recovery
    load.stop()

    assert fault_portal.worker.poll() is None, "the worker must ride the restart out"
    assert fault_portal.web.poll() is None and fault_portal.ws.poll() is None
    table = assert_nothing_lost(load, [follower])
    table["recovery_s"] = round(recovered_in, 1)
    record_property("fault_table", table)
    print(f"\npostgresql down {down_seconds}s: {table}")
