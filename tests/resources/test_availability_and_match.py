"""Free slots around bookings, and matching through the API (with and without booking)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from apps.resources.models import Allocation
from apps.resources.services import AllocationItem, allocate, allocation_cancel
from tests.helpers import assert_matches_contract, assert_problem
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2027, 3, 2, tzinfo=UTC)  # a Tuesday


def at(hour, minute=0, day=0):
    return DAY + timedelta(days=day, hours=hour, minutes=minute)


def iso(value):
    return value.isoformat().replace("+00:00", "Z")


def book(resource, start, end):
    return allocate(
        project_id=ProjectFactory().pk, items=[AllocationItem(resource.pk, start, end)], actor=None
    )[0]


def slots(client, **params):
    response = client.get("/api/v1/resources/availability/", params)
    assert response.status_code == 200, response.content
    return {
        row["resource"]: [(s["from"], s["to"]) for s in row["slots"]]
        for row in response.json()["results"]
    }


def test_free_slots_are_the_gaps_between_bookings(client_as):
    resource = ResourceFactory()
    book(resource, at(10), at(12))
    book(resource, at(12), at(13))  # adjacent: no gap between them
    book(resource, at(15), at(16))
    cancelled = book(resource, at(17), at(18))
    allocation_cancel(allocation_id=cancelled.pk, actor=None)
    free = slots(
        client_as("Viewer"), resources=resource.pk, **{"from": iso(at(8)), "to": iso(at(20))}
    )
    assert free[resource.pk] == [
        (iso(at(8)), iso(at(10))),
        (iso(at(13)), iso(at(15))),
        (iso(at(16)), iso(at(20))),
    ]


def test_bookings_overlapping_the_window_edges_are_clipped(client_as):
    resource = ResourceFactory()
    book(resource, at(6), at(9))
    book(resource, at(19), at(22))
    free = slots(
        client_as("Viewer"), resources=resource.pk, **{"from": iso(at(8)), "to": iso(at(20))}
    )
    assert free[resource.pk] == [(iso(at(9)), iso(at(19)))]


def test_min_duration_drops_short_gaps(client_as):
    resource = ResourceFactory()
    book(resource, at(9), at(10))
    book(resource, at(11), at(15))
    params = {
        "resources": resource.pk,
        "from": iso(at(8)),
        "to": iso(at(16)),
        "min_duration": "01:30:00",
    }
    assert slots(client_as("Viewer"), **params)[resource.pk] == []
    params["min_duration"] = "01:00:00"
    assert slots(client_as("Viewer"), **params)[resource.pk] == [
        (iso(at(8)), iso(at(9))),
        (iso(at(10)), iso(at(11))),
        (iso(at(15)), iso(at(16))),
    ]


def test_working_hours_in_the_resources_own_time_zone(client_as):
    berlin = ResourceFactory(
        timezone="Europe/Berlin", work_days=[1, 2, 3, 4, 5], work_start=time(8), work_end=time(17)
    )
    book(berlin, at(9), at(10))  # 10:00-11:00 in Berlin (CET, UTC+1)
    params = {
        "resources": berlin.pk,
        "from": iso(at(0)),
        "to": iso(at(0, day=5)),  # Tuesday to Sunday
        "working_hours": "true",
    }
    free = slots(client_as("Viewer"), **params)[berlin.pk]
    assert free[:2] == [(iso(at(7)), iso(at(9))), (iso(at(10)), iso(at(16)))]
    # Wednesday to Friday whole working days, and no weekend.
    assert free[2:] == [(iso(at(7, day=d)), iso(at(16, day=d))) for d in (1, 2, 3)]


def test_a_working_day_that_ends_at_midnight(client_as):
    always = ResourceFactory(work_days=[1, 2, 3, 4, 5, 6, 7], work_start=time(0), work_end=time(0))
    params = {
        "resources": always.pk,
        "from": iso(at(0)),
        "to": iso(at(0, day=2)),
        "working_hours": "1",
    }
    assert slots(client_as("Viewer"), **params)[always.pk] == [(iso(at(0)), iso(at(0, day=2)))]


def test_availability_filters_by_kind_and_skill(client_as):
    welding = SkillFactory(name="Welding")
    welder = ResourceFactory(kind="person", skills=[welding])
    ResourceFactory(kind="person")
    ResourceFactory(kind="vehicle", skills=[welding])
    ResourceFactory(kind="person", skills=[welding], active=False)
    window = {"from": iso(at(8)), "to": iso(at(9))}
    assert list(slots(client_as("Viewer"), kind="person", skill="welding", **window)) == [welder.pk]
    assert list(slots(client_as("Viewer"), kind="person", skill=str(welding.pk), **window)) == [
        welder.pk
    ]
    problem = assert_problem(
        client_as("Viewer").get("/api/v1/resources/availability/", {"skill": "juggling", **window}),
        400,
    )
    assert "skill" in problem["errors"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2027-03-02T10:00:00Z", "to": "2027-03-02T09:00:00Z"},
        {"from": "2027-03-02T10:00:00Z", "to": "2027-05-02T09:00:00Z"},
        {"from": "2027-03-02T10:00:00Z"},
        {"from": "2027-03-02T10:00:00Z", "to": "2027-03-03T09:00:00Z", "resources": "1,a"},
        {"from": "2027-03-02T10:00:00Z", "to": "2027-03-03T09:00:00Z", "min_duration": "soon"},
    ],
)
def test_availability_refuses_bad_windows(client_as, params):
    assert_problem(client_as("Viewer").get("/api/v1/resources/availability/", params), 400)


def demand(key, start, end, **extra):
    return {"key": key, "from": iso(start), "to": iso(end), **extra}


def test_match_plans_without_booking_and_books_on_commit(client_as):
    welding = SkillFactory(name="Welding")
    cheap = ResourceFactory(kind="person", hourly_cost=20, skills=[welding])
    dear = ResourceFactory(kind="person", hourly_cost=60, skills=[welding])
    busy = ResourceFactory(kind="person", hourly_cost=5, skills=[welding])
    book(busy, at(9), at(11))
    operator = client_as("Operator")
    body = {
        "demands": [
            demand("welder", at(10), at(14), kind="person", skills=["Welding"]),
            demand("helper", at(10), at(14), kind="person"),
            demand("truck", at(10), at(14), kind="vehicle"),
        ],
        "resources": [cheap.pk, dear.pk, busy.pk],
    }
    planned = operator.post("/api/v1/match/", body, format="json")
    assert planned.status_code == 200, planned.content
    plan = planned.json()
    assert_matches_contract(plan, "MatchResult")
    assert {a["demand"]: a["resource"] for a in plan["assignments"]} == {
        "welder": cheap.pk,
        "helper": dear.pk,
    }
    assert plan["total_cost"] == 4 * 20 + 4 * (60 + 5)  # the helper's welding is surplus
    assert plan["unassigned"] == [{"demand": "truck", "reason": "no_suitable_resource"}]
    assert not Allocation.objects.filter(resource__in=[cheap, dear]).exists()

    project = ProjectFactory()
    committed = operator.post(
        "/api/v1/match/", {**body, "commit": True, "project": project.pk}, format="json"
    ).json()
    assert committed["committed"] is True
    assert_matches_contract(committed, "MatchResult")
    booked = Allocation.objects.filter(project=project, status="booked")
    assert sorted(booked.values_list("resource_id", flat=True)) == sorted([cheap.pk, dear.pk])
    assert {a["allocation"] for a in committed["assignments"]} == set(
        booked.values_list("pk", flat=True)
    )

    again = operator.post(
        "/api/v1/match/", {**body, "commit": True, "project": project.pk}, format="json"
    )
    assert {u["demand"] for u in again.json()["unassigned"]} == {"welder", "helper", "truck"}


def test_match_validates_its_input(client_as):
    operator = client_as("Operator")
    window = demand("a", at(10), at(11))
    assert_problem(operator.post("/api/v1/match/", {"demands": []}, format="json"), 400)
    assert_problem(
        operator.post("/api/v1/match/", {"demands": [window, window]}, format="json"), 400
    )
    problem = assert_problem(
        operator.post(
            "/api/v1/match/", {"demands": [{**window, "skills": ["nope"]}]}, format="json"
        ),
        400,
    )
    assert "demands.0.skills" in problem["errors"]
    assert_problem(
        operator.post("/api/v1/match/", {"demands": [window], "commit": True}, format="json"), 400
    )
    assert_problem(
        operator.post("/api/v1/match/", {"demands": [window], "strategy": "magic"}, format="json"),
        400,
    )


def test_only_operators_may_book_through_match(client_as):
    ResourceFactory()
    body = {
        "demands": [demand("a", at(10), at(11))],
        "commit": True,
        "project": ProjectFactory().pk,
    }
    assert_problem(client_as("Viewer").post("/api/v1/match/", body, format="json"), 403)
    assert not Allocation.objects.exists()
