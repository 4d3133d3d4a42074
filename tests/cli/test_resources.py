"""fusionops book, availability and match against the portal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.resources.models import Allocation
from tests.factories import UserFactory, issue_token
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def tomorrow():
    day = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return lambda hour: (day + timedelta(hours=hour)).isoformat()


@pytest.fixture
def operator():
    return issue_token(UserFactory(roles=["Operator"]))


def test_book_books_every_resource_and_a_booking_in_the_way_names_it_and_books_nothing(
    fusionops, operator, tomorrow
):
    project = ProjectFactory(code="NORTH")
    crane, forklift = ResourceFactory(name="Crane 2"), ResourceFactory(name="Forklift 1")

    booked = fusionops.run(
        "book", "--resource", crane.pk, "--resource", forklift.pk, "--project", project.pk,
        "--start", tomorrow(9), "--end", tomorrow(12), "--note", "lift", token=operator,
    )  # fmt: skip

    assert booked.exit_code == 0, booked.output
    assert "Crane 2" in booked.stdout and "Forklift 1" in booked.stdout
    assert "NORTH" in booked.stdout
    assert "Idempotency-Key: " in booked.stderr
    first = Allocation.objects.get(resource=crane)
    assert first.note == "lift"

    in_the_way = fusionops.run(
        "book", "--resource", ResourceFactory().pk, "--resource", crane.pk,
        "--project", ProjectFactory().pk, "--start", tomorrow(11), "--end", tomorrow(13),
        token=operator,
    )  # fmt: skip

    assert in_the_way.exit_code == 5
    assert "already booked" in in_the_way.stderr
    assert f"allocation {first.pk}" in in_the_way.stderr
    assert "Crane 2" in in_the_way.stderr
    assert Allocation.objects.count() == 2  # all or nothing


def test_book_with_json_prints_the_allocations_the_api_answered(fusionops, operator, tomorrow):
    resource = ResourceFactory()

    created = fusionops.json(
        "book", "--resource", resource.pk, "--project", ProjectFactory().pk,
        "--start", tomorrow(1), "--end", tomorrow(2), token=operator,
    )  # fmt: skip

    [allocation] = created["allocations"]
    assert allocation["resource"] == resource.pk
    assert allocation["id"] == Allocation.objects.get().pk


def test_availability_shows_the_gaps_between_bookings(fusionops, operator, tomorrow):
    resource = ResourceFactory(name="Van 7")
    booked = fusionops.run(
        "book", "--resource", resource.pk, "--project", ProjectFactory().pk,
        "--start", tomorrow(10), "--end", tomorrow(12), token=operator,
    )  # fmt: skip
    assert booked.exit_code == 0, booked.output
    viewer = issue_token(UserFactory(roles=["Viewer"]))
    window = ("--from", tomorrow(8), "--to", tomorrow(14), "--resource", resource.pk)

    shown = fusionops.run("availability", *window, token=viewer)
    rows = fusionops.json("availability", *window, token=viewer)

    assert shown.exit_code == 0, shown.output
    assert "Van 7" in shown.stdout
    [row] = rows
    assert row["resource"] == resource.pk
    assert len(row["slots"]) == 2
    assert row["slots"][0]["to"].startswith(tomorrow(10)[:16])


def test_match_plans_without_booking_and_books_with_commit(fusionops, operator, tomorrow):
    welding = SkillFactory(name="welding")
    welder = ResourceFactory(name="Welder A", skills=[welding])
    ResourceFactory(name="Painter B")
    demand = f"key=weld,from={tomorrow(8)},to={tomorrow(10)},skill=welding"
    project = ProjectFactory()

    plan = fusionops.run("match", "--demand", demand, token=operator)
    assert plan.exit_code == 0, plan.output
    assert "Welder A" in plan.stdout
    assert "not booked" in plan.stdout
    assert not Allocation.objects.exists()

    committed = fusionops.json(
        "match", "--demand", demand, "--commit", "--project", project.pk, token=operator
    )
    [assignment] = committed["assignments"]
    assert committed["committed"] is True
    assert assignment["resource"] == welder.pk
    assert Allocation.objects.get().pk == assignment["allocation"]


def test_match_refuses_a_demand_it_cannot_read_before_asking_the_portal(fusionops, operator):
    result = fusionops.run("match", "--demand", "key=x,when=tomorrow", token=operator)

    assert result.exit_code == 2
    assert "key=K,from=T,to=T" in result.stderr
    assert fusionops.run("match", token=operator).exit_code == 2
