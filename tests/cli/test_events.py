"""fusionops events tail: the log over the API, and --follow over the live socket, across a
restart of the websocket server, with nothing missed and nothing twice."""

import json
import time
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from apps.eventlog.models import Event
from tests.factories import UserFactory, issue_token
from tests.processes import wait_until
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def book(portal):
    """book(hour) books a new resource for an hour tomorrow over the API; its id."""
    operator = {"Authorization": f"Bearer {issue_token(UserFactory(roles=['Operator']))}"}
    project = ProjectFactory()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    def make(hour: int) -> int:
        begins = start + timedelta(hours=hour)
        item = {
            "resource": ResourceFactory().pk,
            "from": begins.isoformat(),
            "to": (begins + timedelta(hours=1)).isoformat(),
        }
        response = httpx.post(
            f"{portal.url}/api/v1/allocate/",
            json={"project": project.pk, "items": [item]},
            headers=operator,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["allocations"][0]["id"]

    return make


def sealed_position(allocation_id: int) -> int:
    """The position of an allocation's created event, once the worker sealed it."""

    event = Event.objects.get(type="resources.allocation.created", aggregate_id=str(allocation_id))

    def position():
        with connection.cursor() as cursor:
            cursor.execute("SELECT position FROM audit_seal WHERE event_id = %s", [event.id])
            row = cursor.fetchone()
        return row and row[0]

    assert wait_until(position, 30)
    return position()


def test_tail_lists_recent_events_by_type_and_after_a_position(fusionops, book):
    auditor = issue_token(UserFactory(roles=["AuditViewer"]))
    first, second, third = book(1), book(2), book(3)
    after = sealed_position(first)
    sealed_position(third)

    recent = fusionops.json("events", "tail", "--type", "resources.allocation.*", token=auditor)
    shown = fusionops.run("events", "tail", "--type", "resources.allocation.created", token=auditor)
    resumed = fusionops.json("events", "tail", "--after", after, token=auditor)
    limited = fusionops.json("events", "tail", "--limit", 2, token=auditor)

    created = [e["aggregate_id"] for e in recent if e["type"] == "resources.allocation.created"]
    assert created == [str(third), str(second), str(first)]  # newest first, as the API lists
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count("resources.allocation.created") == 3
    assert {e["aggregate_id"] for e in resumed if e["type"] == "resources.allocation.created"} == {
        str(second),
        str(third),
    }
    assert all(e["position"] > after for e in resumed)
    assert [e["position"] for e in resumed] == sorted(e["position"] for e in resumed)
    assert len(limited) == 2


def test_tail_of_the_log_is_for_auditors(fusionops):
    result = fusionops.run("events", "tail", token=issue_token(UserFactory(roles=["Viewer"])))

    assert result.exit_code == 3
    assert "Forbidden" in result.stderr or "permission" in result.stderr.lower()


def test_follow_prints_bookings_as_they_come_and_resumes_after_the_socket_server_restarts(
    portal, program, book, tmp_path
):
    viewer = issue_token(UserFactory(roles=["Viewer"]))
    follower = program(
        ["events", "tail", "--follow", "--json", "--topic", "allocations",
         "--ws-url", portal.ws_url],
        {"FUSIONOPS_URL": portal.url, "FUSIONOPS_TOKEN": viewer,
         "XDG_CONFIG_HOME": str(tmp_path)},
    )  # fmt: skip
    follower.wait_for_note("following allocations")
    received = []

    def next_allocation() -> int:
        message = json.loads(follower.line(timeout=60))
        received.append(message)
        assert message["type"] == "allocationCreated", message
        return message["data"]["allocation_id"]

    before = book(0)
    assert next_allocation() == before
    subscribed_so_far = len(follower.stderr_seen)

    missed: list[int] = []
    portal.restart_ws(while_down=lambda: missed.extend([book(1), book(2)]))

    # Replayed from the log when the client resumes after the last position it saw.
    assert [next_allocation(), next_allocation()] == missed
    follower.wait_for_note("reconnecting", after=0)
    follower.wait_for_note("following allocations", after=subscribed_so_far, timeout=60)
    after = book(3)
    assert next_allocation() == after

    positions = [message["position"] for message in received]
    assert positions == sorted(set(positions))  # in order, none twice
    time.sleep(1)
    assert follower.stdout.empty(), "a message was printed twice"


def test_follow_with_a_type_prints_only_those_events_and_stops_at_its_limit(
    portal, program, book, tmp_path
):
    admin = issue_token(UserFactory(roles=["Admin"]))
    follower = program(
        ["events", "tail", "--follow", "--json", "--type", "resources.allocation.created",
         "--limit", "2", "--ws-url", portal.ws_url],
        {"FUSIONOPS_URL": portal.url, "FUSIONOPS_TOKEN": admin,
         "XDG_CONFIG_HOME": str(tmp_path)},
    )  # fmt: skip
    follower.wait_for_note("following")

    booked = [book(0), book(1)]

    got = [json.loads(follower.line()) for _ in booked]
    assert [message["data"]["allocation_id"] for message in got] == booked
    assert follower.process.wait(timeout=30) == 0


def test_follow_with_a_token_the_socket_refuses_exits_3(portal, program, tmp_path):
    follower = program(
        ["events", "tail", "--follow", "--ws-url", portal.ws_url],
        {"FUSIONOPS_URL": portal.url, "FUSIONOPS_TOKEN": "fo_forged",
         "XDG_CONFIG_HOME": str(tmp_path)},
    )  # fmt: skip

    assert follower.process.wait(timeout=30) == 3
    follower.wait_for_note("not (or no longer) valid")
