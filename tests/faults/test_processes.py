"""The portal's own processes end under load: the websocket server is killed (browsers
reconnect and resume with no gap), the worker is killed (another takes over its leases)
or told to stop (it finishes its batch and exits 0 within the grace period)."""

import os
import signal
import sys
import time

import pytest

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.processes import free_port, start, stop

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What deploy/ gives the worker between SIGTERM and SIGKILL.
GRACE_PERIOD_SECONDS = 30


def test_the_websocket_server_killed_under_load_browsers_resume_without_a_gap(
    fault_portal, load_fixture, viewer_token, record_property
):
    followers = [
        LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start() for _ in range(5)
    ]
    load = SteadyLoad(load_fixture).start()
    time.sleep(3)

    os.killpg(fault_portal.ws.pid, signal.SIGKILL)
    fault_portal.ws.wait(timeout=10)
    time.sleep(3)  # the load goes on; the followers try to reconnect
    fault_portal.restart_ws()
    time.sleep(5)
    load.stop()

    assert all(follower.reconnects >= 1 for follower in followers)
    table = assert_nothing_lost(load, followers)
    record_property("fault_table", table)
    print(f"\nws killed: {table}")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_a_worker_ended_under_load_loses_no_delivery(
    fault_portal, load_fixture, how, record_property
):
    # Beside the portal's worker, on a metrics port of its own: on the same one it could
    # not start at all.
    second = start(
        [sys.executable, "manage.py", "run_worker"],
        {**fault_portal.env_of("worker"), "METRICS_PORT": str(free_port())},
    )
    load = SteadyLoad(load_fixture).start()
    time.sleep(4)

    told_at = time.monotonic()
    os.killpg(fault_portal.worker.pid, how)
    code = fault_portal.worker.wait(timeout=GRACE_PERIOD_SECONDS)
    exited_in = time.monotonic() - told_at
    time.sleep(4)  # the other worker carries the saga on alone
    load.stop()
    # The portal's fixture stops a worker that is already gone without complaint.
    try:
        table = assert_nothing_lost(load)
    finally:
        stop([second])

    if how == signal.SIGTERM:
        assert code == 0, "told to stop, the worker exits cleanly"
        assert exited_in < GRACE_PERIOD_SECONDS
    else:
        assert code == -signal.SIGKILL
    table["worker_exit_s"] = round(exited_in, 2)
    record_property("fault_table", table)
    print(f"\nworker {how.name}: {table}")
