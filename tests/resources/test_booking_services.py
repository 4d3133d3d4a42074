"""Booking: no overlap ever, all or nothing, friendly conflicts, idempotent cancelling."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from psycopg.types.range import Range

from apps.eventlog.models import Event
from apps.resources import services
from apps.resources.choices import AllocationStatus
from apps.resources.exceptions import AllocationConflict, BookingContention
from apps.resources.models import Allocation
from apps.resources.services import AllocationItem, allocate, allocation_cancel
from tests.factories import UserFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2027, 3, 1, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def book(resource, start, end, project=None, actor=None):
    return allocate(
        project_id=(project or ProjectFactory()).pk,
        items=[AllocationItem(resource.pk, start, end)],
        actor=actor,
    )[0]


def test_allocate_books_every_item_and_records_who_and_when():
    operator = UserFactory()
    cnc, crew_a, crew_b = ResourceFactory.create_batch(3)
    project = ProjectFactory()
    booked = allocate(
        project_id=project.pk,
        items=[AllocationItem(r.pk, at(10), at(14)) for r in (cnc, crew_a, crew_b)],
        actor=operator,
        note="CNC and a crew of two",
    )
    assert [a.resource_id for a in booked] == [cnc.pk, crew_a.pk, crew_b.pk]
    assert all(a.status == AllocationStatus.BOOKED and a.created_by == operator for a in booked)
    events = Event.objects.filter(
        type="resources.allocation.created", aggregate_id__in=[str(a.pk) for a in booked]
    )
    assert events.count() == 3
    event = events.get(aggregate_id=str(booked[0].pk))
    assert event.actor["username"] == operator.username
    assert event.payload["resource_id"] == cnc.pk
    assert datetime.fromisoformat(event.payload["from"]) == at(10)


def test_adjacent_bookings_are_both_allowed():
    resource = ResourceFactory()
    book(resource, at(10), at(12))
    book(resource, at(12), at(14))
    assert Allocation.objects.filter(resource=resource, status="booked").count() == 2


def test_an_overlap_is_refused_naming_the_booking_in_the_way():
    resource = ResourceFactory()
    existing = book(resource, at(10), at(12))
    with pytest.raises(AllocationConflict) as refused:
        book(resource, at(11), at(13))
    [conflict] = refused.value.conflicts
    assert conflict["allocation"] == existing.pk
    assert conflict["resource"] == resource.pk
    assert (conflict["from"], conflict["to"]) == (at(10), at(12))


def test_all_or_nothing_a_third_item_in_conflict_books_nothing():
    first, second, third = ResourceFactory.create_batch(3)
    book(third, at(9), at(11))
    before = Allocation.objects.count()
    events_before = Event.objects.filter(type="resources.allocation.created").count()
    with pytest.raises(AllocationConflict) as refused:
        allocate(
            project_id=ProjectFactory().pk,
            items=[AllocationItem(r.pk, at(10), at(14)) for r in (first, second, third)],
            actor=None,
        )
    assert [c["item"] for c in refused.value.conflicts] == [2]
    assert Allocation.objects.count() == before
    assert Event.objects.filter(type="resources.allocation.created").count() == events_before


def test_the_database_itself_refuses_overlaps():
    resource = ResourceFactory()
    project = ProjectFactory()
    book(resource, at(10), at(12), project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            resource=resource, project=project, period=Range(at(11), at(15), "[)")
        )


def test_the_database_accepts_an_overlap_with_a_cancelled_booking():
    resource = ResourceFactory()
    cancelled = book(resource, at(10), at(12))
    allocation_cancel(allocation_id=cancelled.pk, actor=None, reason="moved")
    Allocation.objects.create(
        resource=resource, project=ProjectFactory(), period=Range(at(10), at(12), "[)")
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (at(12), at(10), "items.0.to"),
        (at(12), at(12), "items.0.to"),
        (at(0), at(0) + timedelta(days=14, seconds=1), "items.0.to"),
        (datetime(2027, 3, 1, 10), datetime(2027, 3, 1, 12), "items.0.from"),
    ],
)
def test_invalid_windows_are_refused(start, end, field):
    with pytest.raises(ValidationError) as refused:
        book(ResourceFactory(), start, end)
    assert field in refused.value.message_dict


def test_the_longest_booking_is_configurable(settings):
    settings.RESOURCES_MAX_ALLOCATION_DAYS = 1
    with pytest.raises(ValidationError):
        book(ResourceFactory(), at(0), at(25))
    book(ResourceFactory(), at(0), at(24))


def test_inactive_resources_and_projects_cannot_be_booked():
    with pytest.raises(ValidationError) as refused:
        book(ResourceFactory(active=False), at(10), at(12), project=ProjectFactory(active=False))
    assert set(refused.value.message_dict) == {"project", "items.0.resource"}


def test_items_of_one_request_may_not_overlap_each_other():
    resource = ResourceFactory()
    with pytest.raises(ValidationError) as refused:
        allocate(
            project_id=ProjectFactory().pk,
            items=[
                AllocationItem(resource.pk, at(10), at(12)),
                AllocationItem(resource.pk, at(11), at(13)),
            ],
            actor=None,
        )
    assert "items.1" in refused.value.message_dict


def test_cancel_frees_the_slot_and_is_idempotent():
    resource = ResourceFactory()
    allocation = book(resource, at(10), at(12))
    cancelled = allocation_cancel(allocation_id=allocation.pk, actor=None, reason="rain")
    again = allocation_cancel(allocation_id=allocation.pk, actor=None, reason="twice")
    assert cancelled.status == again.status == AllocationStatus.CANCELLED
    assert again.cancel_reason == "rain"
    assert (
        Event.objects.filter(
            type="resources.allocation.cancelled", aggregate_id=str(allocation.pk)
        ).count()
        == 1
    )
    book(resource, at(10), at(12))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deadlock_is_run_again_inside_the_service():
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one with a
    deadlock, and the service runs that one again instead of failing."""
    first, second = ResourceFactory.create_batch(2)
    both_locked_one = threading.Barrier(2)
    attempts = {"a": 0, "b": 0}
    errors = []

    def work(name, order):
        def locked():
            attempts[name] += 1
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM resources_resource WHERE id = %s FOR UPDATE", [order[0]]
                )
                if attempts[name] == 1:
                    both_locked_one.wait(timeout=10)
                cursor.execute(
                    "SELECT 1 FROM resources_resource WHERE id = %s FOR UPDATE", [order[1]]
                )

        try:
            services._retrying_deadlocks(locked)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=("a", (first.pk, second.pk))),
        threading.Thread(target=work, args=("b", (second.pk, first.pk))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]


def test_a_deadlock_inside_a_callers_transaction_is_a_conflict_not_a_crash():
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    def deadlocked():
        raise OperationalError("deadlock detected") from Deadlock()

    with transaction.atomic(), pytest.raises(BookingContention):
        services._retrying_deadlocks(deadlocked)
