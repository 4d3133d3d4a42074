"""Staff book, cancel and look at timelines in the admin, through the same services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.eventlog.models import Event
from apps.resources.models import Allocation, Resource
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 4, 6, 10, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(is_staff=True, roles=["Operator"]))
    return client


def add_form(resource, project, start, end):
    return {
        "resource": resource.pk,
        "project": project.pk,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "note": "from the admin",
    }


def test_booking_in_the_admin_goes_through_the_service(operator_client):
    resource, project = ResourceFactory(), ProjectFactory()
    response = operator_client.post(
        "/admin/resources/allocation/add/",
        add_form(resource, project, START, START + timedelta(hours=2)),
    )
    assert response.status_code == 302, response.content
    allocation = Allocation.objects.get(resource=resource)
    assert allocation.note == "from the admin"
    assert Event.objects.filter(
        type="resources.allocation.created", aggregate_id=str(allocation.pk)
    ).exists()
    page = operator_client.get(f"/admin/resources/allocation/{allocation.pk}/change/")
    assert page.status_code == 200 and "from the admin" in page.content.decode()


def test_an_overlap_in_the_admin_is_a_form_error(operator_client):
    resource, project = ResourceFactory(), ProjectFactory()
    allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, START, START + timedelta(hours=4))],
        actor=None,
    )
    response = operator_client.post(
        "/admin/resources/allocation/add/",
        add_form(resource, project, START + timedelta(hours=1), START + timedelta(hours=2)),
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert Allocation.objects.filter(resource=resource).count() == 1


def test_the_cancel_action_asks_why_and_calls_the_service(operator_client):
    resource, project = ResourceFactory(), ProjectFactory()
    [allocation] = allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, START, START + timedelta(hours=1))],
        actor=None,
    )
    chosen = {"action": "cancel_allocations", "_selected_action": [allocation.pk]}
    asked = operator_client.post("/admin/resources/allocation/", chosen)
    assert asked.status_code == 200 and "cancel-bookings" in asked.content.decode()
    no_reason = operator_client.post(
        "/admin/resources/allocation/", {**chosen, "apply": "1", "reason": ""}
    )
    assert no_reason.status_code == 200
    allocation.refresh_from_db()
    assert allocation.status == "booked"
    response = operator_client.post(
        "/admin/resources/allocation/", {**chosen, "apply": "1", "reason": "crane broke down"}
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert (allocation.status, allocation.cancel_reason) == ("cancelled", "crane broke down")
    assert Event.objects.filter(
        type="resources.allocation.cancelled", aggregate_id=str(allocation.pk)
    ).exists()


def test_the_day_filter_lists_bookings_touching_that_day(operator_client):
    resource, project = ResourceFactory(), ProjectFactory()
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=22)
    allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, start, start + timedelta(hours=4))],
        actor=None,
    )
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = (today + timedelta(days=3)).isoformat()
    assert (
        resource.name
        in operator_client.get(f"/admin/resources/allocation/?day={tomorrow}").content.decode()
    )
    assert (
        resource.name
        not in operator_client.get(f"/admin/resources/allocation/?day={later}").content.decode()
    )


def test_the_timeline_shows_bookings_as_bars(operator_client):
    resource = ResourceFactory(timezone="Europe/Berlin")
    project = ProjectFactory(code="PLANT-7")
    allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, START, START + timedelta(hours=6))],  # 12:00-18:00 CEST
        actor=None,
    )
    url = f"/admin/resources/resource/{resource.pk}/timeline/"
    week = operator_client.get(url, {"date": "2027-04-06"}).content.decode()
    assert week.count('class="timeline-lane"') == 7
    assert "PLANT-7 12:00-18:00" in week
    assert "left: 50.000%; width: 25.000%" in week
    day = operator_client.get(url, {"date": "2027-04-07", "span": "day"}).content.decode()
    assert day.count('class="timeline-lane"') == 1 and "PLANT-7" not in day


def test_catalogue_changes_in_the_admin_are_audited(operator_client):
    welding = SkillFactory(name="Welding")
    response = operator_client.post(
        "/admin/resources/resource/add/",
        {
            "name": "Crane 2", "kind": "vehicle", "hourly_cost": "120.00", "timezone": "UTC",
            "work_days": "1,2,3,4,5", "work_start": "06:00", "work_end": "00:00",
            "active": "on", "skills": [welding.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content
    crane = Resource.objects.get(name="Crane 2")
    assert list(crane.skills.all()) == [welding]
    event = Event.objects.get(type="resources.resource.created", aggregate_id=str(crane.pk))
    assert event.payload["skills"] == [welding.pk]


def test_viewers_cannot_book_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, roles=["Viewer"]))
    assert client.get("/admin/resources/allocation/add/").status_code == 403
    assert client.get("/admin/resources/allocation/").status_code == 200
