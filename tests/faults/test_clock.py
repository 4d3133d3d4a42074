"""The clock crosses a boundary under load: the portal's processes and PostgreSQL run with
the clock moved (libfaketime) to just before the end of a UTC month, and to just before a
daylight-saving change in a resource's zone. The stream goes on without a gap across the
log's monthly partitions, and working hours follow the zone's new offset."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection, connections

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.resources.factories import ResourceFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
BEFORE_THE_BOUNDARY = timedelta(seconds=15)
# The end of 2026 in UTC; Berlin's change to summer time (01:00 UTC: 02:00 CET → 03:00 CEST).
MONTH_END = datetime(2027, 1, 1, tzinfo=UTC)
BERLIN_SPRING_FORWARD = datetime(2027, 3, 28, 1, tzinfo=UTC)


def moved_clock(to: datetime) -> dict:
    """libfaketime's environment for a clock that reads `to` now and runs on from there
    (an offset, so that every process started with it agrees)."""
    if not LIBFAKETIME.exists():
        pytest.fail("libfaketime is missing: make test-faults installs the faketime package")
    offset = int((to - datetime.now(UTC)).total_seconds())
    # The steady clock moves with it (libfaketime's sleeps misbehave otherwise).
    return {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"{offset:+d}",
            "FAKETIME_DONT_RESET": "1"}  # fmt: skip


@pytest.fixture(params=[MONTH_END, BERLIN_SPRING_FORWARD], ids=["utc-month-end", "berlin-dst"])
def boundary(request, postgres_server):
    """PostgreSQL runs on the moved clock for the test, and on the machine's afterwards."""
    clock = moved_clock(request.param - BEFORE_THE_BOUNDARY)
    connections.close_all()
    postgres_server.restart(env=clock)
    yield request.param, clock
    connections.close_all()
    postgres_server.restart()


@pytest.fixture
def portal_clock(boundary):
    return boundary[1]


def events_by_month() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM audit_event GROUP BY 1")
        return dict(cursor.fetchall())


def sealed_positions() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT position FROM audit_seal ORDER BY position")
        return [row[0] for row in cursor.fetchall()]


def test_the_stream_crosses_a_month_end_and_a_dst_change_without_a_gap(
    boundary, fault_portal, load_fixture, viewer_token, record_property
):
    instant, _clock = boundary
    berlin = ResourceFactory(timezone="Europe/Berlin")  # Monday to Friday, 08:00 to 17:00
    follower = LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start()
    load = SteadyLoad(load_fixture).start()
    time.sleep(BEFORE_THE_BOUNDARY.total_seconds() + 10)  # across the boundary, and on
    load.stop()

    table = assert_nothing_lost(load, [follower])
    months = events_by_month()
    before, after = (instant - timedelta(days=1)).strftime("%Y_%m"), instant.strftime("%Y_%m")
    if before != after:
        # Both months' partitions hold events of this run.
        assert months.get(f"audit_event_{before}") and months.get(f"audit_event_{after}"), months
    positions = sealed_positions()
    assert positions == list(range(positions[0], positions[0] + len(positions))), "a gap"

    if instant == BERLIN_SPRING_FORWARD:
        # Working hours are the zone's: 08:00 in Berlin is 07:00 UTC on the Friday before
        # the change and 06:00 UTC on the Monday after it.
        answer = requests.get(
            f"{fault_portal.url}/api/v1/resources/availability/",
            params={"resources": berlin.pk, "from": "2027-03-26T00:00:00Z",
                    "to": "2027-03-30T00:00:00Z", "working_hours": "true"},
            headers={"Authorization": f"Bearer {viewer_token}"}, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        slots = answer.json()["results"][0]["slots"]
        assert [(slot["from"], slot["to"]) for slot in slots] == [
            ("2027-03-26T07:00:00Z", "2027-03-26T16:00:00Z"),
            ("2027-03-29T06:00:00Z", "2027-03-29T15:00:00Z"),
        ]
    table["events_by_partition"] = months
    record_property("fault_table", table)
    print(f"\nclock across {instant.isoformat()}: {table}")
