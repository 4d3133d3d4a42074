"""Redis goes away for 30 seconds under load: the API keeps authenticating and writing
(tokens from the database, throttling open), live clients resume from the log after it
returns, and nothing is lost."""

import time

import pytest
import requests

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.processes import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REDIS_DOWN_SECONDS = 30


def created(follower: LiveFollower) -> int:
    return sum(1 for message in list(follower.messages) if message["type"] == "allocationCreated")


def sample(metrics: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines() if line.startswith(name)
    )


def test_thirty_seconds_without_redis_the_api_still_serves_and_live_clients_catch_up(
    redis_server, fault_portal, load_fixture, viewer_token, record_property
):
    follower = LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start()
    load = SteadyLoad(load_fixture).start()
    time.sleep(3)

    redis_server.stop()
    down_from = len(load.operations)
    time.sleep(REDIS_DOWN_SECONDS)
    during = load.operations[down_from:]
    # A token issued before is checked against the database meanwhile.
    viewer = requests.get(
        f"{fault_portal.url}/api/v1/resources/?page_size=1",
        headers={"Authorization": f"Bearer {viewer_token}"}, timeout=30,
    )  # fmt: skip
    redis_server.start()
    back_at = time.monotonic()
    booked_while_down = len(load.booked())
    # The follower's socket learns of the lost batches from the first one after Redis
    # returns, and fills them from the log.
    assert wait_until(lambda: created(follower) >= booked_while_down, 60)
    caught_up_in = time.monotonic() - back_at
    time.sleep(3)
    load.stop()

    assert viewer.status_code == 200, viewer.text
    settled_during = [op for op in during if op.final is not None]
    assert len(settled_during) >= 10, "the API must keep working while Redis is down"
    assert all(op.statuses == [op.final] for op in settled_during), "no retry was needed"
    throttled_open = sample(
        fault_portal.metrics("web"), 'fusionops_degraded_requests_total{dependency="throttle"}'
    )
    assert throttled_open > 0, "throttling failed open, and said so"

    table = assert_nothing_lost(load, [follower])
    table["live_caught_up_s"] = round(caught_up_in, 1)
    record_property("fault_table", table)
    print(f"\nredis down {REDIS_DOWN_SECONDS}s: {table}")
