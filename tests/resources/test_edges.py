"""Bad input is a 4xx, times keep their zones (DST included), read models apply once."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection

from apps.core.catalogue import catalogue_update
from apps.eventlog.registry import registry
from apps.eventlog.relay import relay_batch
from apps.resources.models import Allocation, AllocationHistory
from apps.resources.services import AllocationItem, allocate
from tests.helpers import assert_problem
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def booking(resource, project, start="2027-05-03T10:00:00Z", end="2027-05-03T12:00:00Z"):
    return {"project": project.pk, "items": [{"resource": resource, "from": start, "to": end}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2027-05-03T10:00:00"}, "items.0.from"),  # no UTC offset
        ({"end": "2027-05-03T12:00:00"}, "items.0.to"),
        ({"resource": 10**20}, "items.0.resource"),
        ({"start": "2027-13-03T10:00:00Z"}, "items.0.from"),
    ],
)
def test_bad_booking_input_is_a_400(client_as, body, field):
    resource, project = ResourceFactory(), ProjectFactory()
    payload = booking(
        body.get("resource", resource.pk),
        project,
        body.get("start", "2027-05-03T10:00:00Z"),
        body.get("end", "2027-05-03T12:00:00Z"),
    )
    response = client_as("Operator").post("/api/v1/allocate/", payload, format="json")
    assert field in assert_problem(response, 400, "validation-error")["errors"]
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"resources": "²"},
        {"skill": "²"},
        {"skill": ",".join(f"s{n}" for n in range(21))},
        {"from": "2027-05-03T00:00:00"},
    ],
)
def test_bad_availability_queries_are_a_400(client_as, params):
    query = {"from": "2027-05-03T00:00:00Z", "to": "2027-05-04T00:00:00Z", **params}
    assert_problem(client_as("Viewer").get("/api/v1/resources/availability/", query), 400)


def test_unicode_digits_are_not_project_ids(client_as):
    assert_problem(client_as("Viewer").get("/api/v1/projects/allocations/", {"ids": "1,²"}), 400)


def test_match_refuses_long_demands_and_wide_plans(client_as):
    operator = client_as("Operator")
    long = {"key": "a", "from": "2027-05-01T00:00:00Z", "to": "2027-05-20T00:00:00Z"}
    assert_problem(operator.post("/api/v1/match/", {"demands": [long]}, format="json"), 400)
    early = {"key": "a", "from": "2027-05-01T00:00:00Z", "to": "2027-05-01T02:00:00Z"}
    late = {"key": "b", "from": "2027-07-01T00:00:00Z", "to": "2027-07-01T02:00:00Z"}
    assert_problem(operator.post("/api/v1/match/", {"demands": [early, late]}, format="json"), 400)


def iso(value):
    return value.isoformat().replace("+00:00", "Z")


def free(client, resource, start, end):
    response = client.get(
        "/api/v1/resources/availability/",
        {"resources": resource.pk, "from": iso(start), "to": iso(end), "working_hours": "true"},
    )
    assert response.status_code == 200, response.content
    return [(s["from"], s["to"]) for s in response.json()["results"][0]["slots"]]


def test_working_hours_follow_daylight_saving_time(client_as):
    berlin = ResourceFactory(
        timezone="Europe/Berlin", work_days=[1, 2, 3, 4, 5], work_start=time(8), work_end=time(17)
    )
    # Friday before the change (UTC+1), Monday after it (UTC+2).
    slots = free(
        client_as("Viewer"),
        berlin,
        datetime(2027, 3, 26, tzinfo=UTC),
        datetime(2027, 3, 30, tzinfo=UTC),
    )
    assert slots == [
        ("2027-03-26T07:00:00Z", "2027-03-26T16:00:00Z"),
        ("2027-03-29T06:00:00Z", "2027-03-29T15:00:00Z"),
    ]


def test_working_hours_west_of_utc_cross_utc_midnight(client_as):
    los_angeles = ResourceFactory(
        timezone="America/Los_Angeles", work_days=[1], work_start=time(9), work_end=time(17)
    )
    # Monday 15 March 2027, UTC-7: 16:00 to 24:00 UTC.
    slots = free(
        client_as("Viewer"),
        los_angeles,
        datetime(2027, 3, 15, tzinfo=UTC),
        datetime(2027, 3, 17, tzinfo=UTC),
    )
    assert slots == [("2027-03-15T16:00:00Z", "2027-03-16T00:00:00Z")]


def test_the_timeline_of_a_23_hour_day(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, roles=["Operator"]))
    resource = ResourceFactory(timezone="Europe/Berlin")
    project = ProjectFactory(code="DST")
    start = datetime(2027, 3, 28, 8, tzinfo=UTC)  # 10:00 in Berlin, summer time since 03:00
    allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, start, start + timedelta(hours=2))],
        actor=None,
    )
    page = client.get(
        f"/admin/resources/resource/{resource.pk}/timeline/", {"date": "2027-03-28", "span": "day"}
    ).content.decode()
    assert "DST 10:00-12:00" in page
    assert "left: 39.130%; width: 8.696%" in page  # 9 of 23 hours, then 2 of 23
    far = client.get(f"/admin/resources/resource/{resource.pk}/timeline/", {"date": "9999-12-31"})
    assert far.status_code == 200


def test_the_admin_change_page_changes_nothing(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, roles=["Operator"]))
    resource, project = ResourceFactory(), ProjectFactory()
    start = datetime(2027, 5, 3, 10, tzinfo=UTC)
    [allocation] = allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, start, start + timedelta(hours=1))],
        actor=None,
    )
    response = client.post(
        f"/admin/resources/allocation/{allocation.pk}/change/", {"note": "edited"}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.note == ""


def test_an_update_records_only_what_changed():
    from apps.eventlog.models import Event

    resource = ResourceFactory(name="Crane", hourly_cost=10)
    catalogue_update(instance=resource, actor=None, name="Crane", hourly_cost=12)
    event = Event.objects.get(type="resources.resource.updated", aggregate_id=str(resource.pk))
    assert event.payload["changed"] == ["hourly_cost"]


def test_history_applies_each_event_once_and_its_partitions_are_kept_ahead():
    resource, project = ResourceFactory(), ProjectFactory()
    start = datetime(2027, 5, 3, 10, tzinfo=UTC)
    allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, start, start + timedelta(hours=1))],
        actor=None,
    )
    relay_batch()
    from apps.eventlog.models import Event

    event = Event.objects.get(type="resources.allocation.created", payload__project_id=project.pk)
    registry.get_projection("allocation_history").apply(event)
    assert AllocationHistory.objects.filter(project_id=project.pk).count() == 1

    registry.get_projection("allocation_history").maintain()
    next_month = datetime.now(UTC).replace(day=1) + timedelta(days=32)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL",
            [f"resources_allocation_history_{next_month:%Y_%m}"],
        )
        assert cursor.fetchone()[0]
