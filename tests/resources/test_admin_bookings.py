"""Booking several resources at once and matching demands in the admin, through the
booking services: all or nothing, with the service's conflicts as the form's errors."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from apps.eventlog.models import Event
from apps.resources.models import Allocation
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 4, 6, 10, tzinfo=UTC)


def staff(role: str) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, roles=[role]))
    return client


def window(prefix: str, moment: datetime) -> dict:
    return {f"{prefix}_0": moment.strftime("%Y-%m-%d"), f"{prefix}_1": moment.strftime("%H:%M:%S")}


def book_several(client, project, resources, start=START, hours=2):
    return client.post(
        "/admin/resources/allocation/book/",
        {"project": project.pk, "resources": [r.pk for r in resources], "note": "crew",
         **window("starts_at", start), **window("ends_at", start + timedelta(hours=hours))},
    )  # fmt: skip


def test_several_resources_are_booked_for_one_project_and_window():
    operator, project = staff("Operator"), ProjectFactory()
    resources = ResourceFactory.create_batch(3)
    assert "Book several resources" in operator.get("/admin/resources/allocation/").content.decode()
    response = book_several(operator, project, resources)
    assert response.status_code == 302, response.content
    booked = Allocation.objects.filter(project=project)
    assert sorted(a.resource_id for a in booked) == sorted(r.pk for r in resources)
    assert Event.objects.filter(type="resources.allocation.created").count() >= 3


def test_one_conflicting_resource_books_nothing_and_names_what_is_in_the_way():
    operator, project = staff("Operator"), ProjectFactory()
    free, busy = ResourceFactory(), ResourceFactory(name="Crane 2")
    [existing] = allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(busy.pk, START, START + timedelta(hours=4))],
        actor=None,
    )
    response = book_several(operator, project, [free, busy], start=START + timedelta(hours=1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "In the way: Crane 2" in page and f"booking {existing.pk}" in page
    assert not Allocation.objects.filter(project=project).exists()


def demands(*rows) -> dict:
    data = {"demands-TOTAL_FORMS": str(len(rows)), "demands-INITIAL_FORMS": "0",
            "demands-MIN_NUM_FORMS": "0", "demands-MAX_NUM_FORMS": "50"}  # fmt: skip
    for n, (key, kind, start) in enumerate(rows):
        data |= {f"demands-{n}-key": key, f"demands-{n}-kind": kind}
        data |= window(f"demands-{n}-starts_at", start)
        data |= window(f"demands-{n}-ends_at", start + timedelta(hours=3))
    return data


def test_a_match_is_shown_and_booked_for_a_project_when_asked():
    operator, project = staff("Operator"), ProjectFactory()
    ResourceFactory(name="Ann", kind="person", hourly_cost=40)
    ResourceFactory(name="Bob", kind="person", hourly_cost=60)
    ResourceFactory(name="Forklift", kind="equipment")
    rows = demands(("welder", "person", START), ("fitter", "person", START))
    shown = operator.post("/admin/resources/allocation/match/", {"strategy": "hungarian", **rows})
    page = shown.content.decode()
    assert shown.status_code == 200 and "Ann" in page and "Bob" in page
    assert not Allocation.objects.filter(project=project).exists()
    booked = operator.post(
        "/admin/resources/allocation/match/",
        {"strategy": "hungarian", "project": project.pk, **rows},
    )
    assert "The match is booked." in booked.content.decode()
    assert sorted(a.resource.name for a in Allocation.objects.filter(project=project)) == [
        "Ann", "Bob"
    ]  # fmt: skip


def test_a_viewer_may_match_but_not_book():
    viewer = staff("Viewer")
    assert viewer.get("/admin/resources/allocation/book/").status_code == 403
    rows = demands(("welder", "person", START))
    assert (
        viewer.post(
            "/admin/resources/allocation/match/", {"strategy": "greedy", **rows}
        ).status_code
        == 200
    )
    refused = viewer.post(
        "/admin/resources/allocation/match/",
        {"strategy": "greedy", "project": ProjectFactory().pk, **rows},
    )
    assert refused.status_code == 403
