"""GET /api/v1/events/stream, server-sent events from the websocket process, read by a real
HTTP client against the portal's real processes: events as they commit, resumed with
Last-Event-ID after a reconnect, heartbeats, the topics' permissions, a revoked token."""

import json
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory, issue_token
from tests.processes import Portal
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PATH = "/api/v1/events/stream/"


@pytest.fixture
def portal():
    # One per test: a portal left running across tests would hold the tables the
    # transactional tests empty after each test.
    started = Portal(REALTIME_HEARTBEAT_SECONDS="1")
    yield started
    started.stop()


def stream(portal, token, topics, **headers):
    return requests.get(
        f"http://127.0.0.1:{portal.ws_port}{PATH}",
        params={"topics": topics},
        headers={"Authorization": f"Bearer {token}", **headers},
        stream=True,
        timeout=(5, 20),
    )


def frames(response, count: int, *, comments: bool = False, seconds: float = 60) -> list[dict]:
    """The next `count` events of the stream (and comment lines, with `comments`); fails
    after `seconds` (heartbeats would otherwise keep a stream that never sends them open)."""
    found, current = [], {}
    deadline = time.monotonic() + seconds
    for line in response.iter_lines(decode_unicode=True):
        assert time.monotonic() < deadline, f"{len(found)} of {count} frames in {seconds} s"
        if line.startswith(":"):
            if comments:
                found.append({"comment": line[1:].strip()})
        elif line == "":
            if current:
                found.append(current)
                current = {}
        else:
            field, _, value = line.partition(": ")
            current[field] = json.loads(value) if field == "data" else value
        if len(found) == count:
            return found
    return found


def book(hour: int):
    begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(
        days=2, hours=hour
    )
    return allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(ResourceFactory().pk, begins, begins + timedelta(hours=1))],
        actor=UserFactory(roles=["Operator"]),
    )[0]


def test_bookings_stream_as_they_commit_and_a_reconnect_resumes_from_the_last_id(portal):
    token = issue_token(UserFactory(roles=["Viewer"]))
    first_stream = stream(portal, token, "allocations")
    assert first_stream.status_code == 200
    assert first_stream.headers["Content-Type"].startswith("text/event-stream")
    first = book(0)
    (event,) = frames(first_stream, 1)
    first_stream.close()
    assert event["event"] == "allocationCreated"
    assert event["data"]["data"]["allocation_id"] == first.pk
    assert event["id"] == str(event["data"]["position"])
    # While the client is away, two more bookings.
    missed = [book(2), book(4)]
    resumed = stream(portal, token, "allocations", **{"Last-Event-ID": event["id"]})
    replayed = frames(resumed, 2)
    resumed.close()
    assert [e["data"]["data"]["allocation_id"] for e in replayed] == [a.pk for a in missed]
    assert int(replayed[0]["id"]) > int(event["id"])

    # An idle stream gets heartbeats; a revoked token ends it at the next one.
    user = UserFactory(roles=["Viewer"])
    idle = stream(portal, issue_token(user), "allocations")
    got = frames(idle, 3, comments=True)
    assert [frame["comment"] for frame in got] == ["connected", "ping", "ping"]
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    rest = frames(idle, 50, comments=True)  # the server closes it: the loop ends
    idle.close()
    assert len(rest) < 50


REFUSED = [
    (None, "allocations", {}, 401),
    ("Viewer", "orders", {}, 403),
    ("Integration", "allocations", {}, 403),
    ("Viewer", "no-such-topic", {}, 400),
    ("Viewer", "", {}, 400),
    ("Viewer", "allocations", {"Last-Event-ID": "yesterday"}, 400),
    ("Viewer", "project:999999", {}, 404),
]


def test_what_the_stream_refuses_and_where_it_is_not_served(portal):
    wrong = []
    for role, topics, headers, status in REFUSED:
        token = issue_token(UserFactory(roles=[role])) if role else "not-a-token"
        response = stream(portal, token, topics, **headers)
        if (response.status_code, response.headers["Content-Type"]) != (
            status, "application/problem+json"
        ):  # fmt: skip
            wrong.append(f"{role} {topics} {headers}: {response.status_code}")
    assert not wrong, wrong
    # Integrations follow their own orders there too.
    integration = stream(portal, issue_token(UserFactory(roles=["Integration"])), "orders:mine")
    assert integration.status_code == 200
    integration.close()
    # The path of before answers for one release, marked deprecated.
    old = requests.get(
        f"http://127.0.0.1:{portal.ws_port}{PATH.rstrip('/')}", params={"topics": "allocations"},
        headers={"Authorization": f"Bearer {issue_token(UserFactory(roles=['Viewer']))}"},
        stream=True, timeout=(5, 20),
    )  # fmt: skip
    assert old.status_code == 200 and old.headers["Deprecation"].startswith("@")
    assert old.headers["Link"] == f'<{PATH}>; rel="successor-version"'
    old.close()
    # The web process does not serve it (a gunicorn worker would be held by each stream).
    token = issue_token(UserFactory(roles=["Viewer"]))
    response = requests.get(
        f"{portal.url}{PATH}", params={"topics": "allocations"},
        headers={"Authorization": f"Bearer {token}"}, timeout=5,
    )  # fmt: skip
    assert response.status_code == 404
