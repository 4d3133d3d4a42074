"""Every write of the resources app: the catalogue (skills, resources, projects) and
bookings. Each function is one transaction that also records its events."""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.range import Range

from apps.eventlog.services import event_emit
from apps.platform import tracing
from apps.platform.exceptions import Conflict, NotFound
from apps.resources import matching, metrics, selectors
from apps.resources.choices import AllocationStatus
from apps.resources.events import (
    ALLOCATION_CANCELLED,
    ALLOCATION_CREATED,
    allocation_cancelled_payload,
    allocation_payload,
)
from apps.resources.exceptions import AllocationConflict, BookingContention
from apps.resources.models import Allocation, Project, Resource

# SQLSTATEs of transactions PostgreSQL aborted because of concurrent ones: run them again.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
_EXCLUSION_VIOLATION = "23P01"
_FOREIGN_KEY_VIOLATION = "23503"


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def _retrying_deadlocks[T](work: Callable[[], T]) -> T:
    """Run `work` in a transaction; if PostgreSQL aborts it for a deadlock with concurrent
    bookings, run it again (a bounded number of times, with a short random pause). Inside
    a caller's transaction nothing can be retried: the deadlock becomes a 409 instead."""
    attempts = settings.RESOURCES_BOOKING_ATTEMPTS
    nested = transaction.get_connection().in_atomic_block
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as exc:
            if _sqlstate(exc) not in _RETRYABLE_SQLSTATES:
                raise
            if nested or attempt == attempts:
                raise BookingContention(
                    _("Concurrent bookings of the same resources kept colliding; try again.")
                ) from exc
            time.sleep(random.uniform(0, 0.01 * attempt))  # noqa: S311  (jitter, not a secret)
    raise AssertionError("unreachable")


# --- Bookings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationItem:
    """One resource wanted over [starts_at, ends_at)."""

    resource_id: int
    starts_at: datetime
    ends_at: datetime


def _validate_items(items: Sequence[AllocationItem]) -> None:
    errors: dict[str, list[str]] = {}
    longest = timedelta(days=settings.RESOURCES_MAX_ALLOCATION_DAYS)
    if not items:
        errors["items"] = [_("Name at least one resource to book.")]
    for index, item in enumerate(items):
        if timezone.is_naive(item.starts_at) or timezone.is_naive(item.ends_at):
            errors[f"items.{index}.from"] = [_("Give times with their UTC offset.")]
        elif item.starts_at >= item.ends_at:
            errors[f"items.{index}.to"] = [_("The end must be after the start.")]
        elif item.ends_at - item.starts_at > longest:
            errors[f"items.{index}.to"] = [
                _("A booking lasts at most %(days)d days.")
                % {"days": settings.RESOURCES_MAX_ALLOCATION_DAYS}
            ]
    if not errors:
        # Two items of one request that overlap on one resource can never both be booked.
        by_resource: dict[int, list[tuple[int, AllocationItem]]] = {}
        for index, item in enumerate(items):
            for other_index, other in by_resource.get(item.resource_id, []):
                if item.starts_at < other.ends_at and other.starts_at < item.ends_at:
                    errors[f"items.{index}"] = [
                        _("Overlaps item %(other)d on the same resource.") % {"other": other_index}
                    ]
            by_resource.setdefault(item.resource_id, []).append((index, item))
    if errors:
        raise ValidationError(errors)


# The whole booking in one statement, sent together with the transaction's BEGIN: the
# project (FOR KEY SHARE, held until commit: it cannot be deleted under the booking), the
# resources locked FOR NO KEY UPDATE (bookings of one resource queue behind each other,
# locked in id order so overlapping sets never deadlock, while foreign key checks of other
# writers, FOR KEY SHARE, do not wait), and the insert, which runs only when the project
# and every resource are there and active. The exclusion constraint then decides overlaps.
# One row per project, resource and booking made, told apart by `kind`.
_BOOK = """
WITH project AS (
    SELECT id, code, name, active FROM resources_project WHERE id = %(project)s FOR KEY SHARE
), locked AS (
    SELECT id, name, active FROM resources_resource
    WHERE id = ANY(%(resources)s::bigint[]) ORDER BY id FOR NO KEY UPDATE
), booked AS (
    INSERT INTO resources_allocation
        (resource_id, project_id, period, status, note, created_by_id, created_at,
         cancel_reason)
    SELECT item.resource_id, %(project)s, tstzrange(item.starts_at, item.ends_at, '[)'),
           'booked', %(note)s, %(created_by)s, %(now)s, ''
    FROM unnest(%(item_resources)s::bigint[], %(starts)s::timestamptz[], %(ends)s::timestamptz[])
         AS item(resource_id, starts_at, ends_at)
    WHERE (SELECT active FROM project)
      AND (SELECT count(*) FROM locked WHERE active) = cardinality(%(resources)s::bigint[])
    RETURNING id, resource_id, lower(period) AS starts_at
)
SELECT 'project', id, name, active, code, NULL::timestamptz FROM project
UNION ALL SELECT 'resource', id, name, active, NULL, NULL FROM locked
UNION ALL SELECT 'booked', id, NULL, NULL, resource_id::text, starts_at FROM booked
"""
# The psycopg instrumentation traces Django's cursors only: this statement gets its own span.
_BOOK_SPAN_ATTRIBUTES = {
    "db.system": "postgresql",
    "db.operation": "INSERT",
    "db.sql.table": "resources_allocation",
    "db.statement": _BOOK,
}


def _book(
    *, project_id: int, items: Sequence[AllocationItem], note: str, created_by, now
) -> tuple[Project, dict[int, Resource], dict[tuple[int, datetime], int]]:
    """Run _BOOK: the project, the resources (locked) and the ids booked by (resource,
    start). Refuses unknown or inactive ones, which the statement booked nothing for.
    (Project and resources are loaded with the fields booking needs; the rest load on
    access.)"""
    params = {
        "project": project_id,
        "resources": sorted({item.resource_id for item in items}),
        "note": note,
        "created_by": created_by.pk if created_by else None,
        "now": now,
        "item_resources": [item.resource_id for item in items],
        "starts": [item.starts_at for item in items],
        "ends": [item.ends_at for item in items],
    }
    raw = connection.connection
    # The pipeline sends the BEGIN psycopg opens the transaction with in the same packet as
    # the statement: one round trip instead of two. Prepared once per connection (unless
    # behind a transaction-pooling PgBouncer, see DATABASE_TRANSACTION_POOLING).
    with (
        tracing.client_span("INSERT resources_allocation", attributes=_BOOK_SPAN_ATTRIBUTES),
        connection.wrap_database_errors,
        raw.pipeline(),
        psycopg.Cursor(raw) as cursor,
    ):
        cursor.execute(_BOOK, params, prepare=True)
        rows = cursor.fetchall()
    project, resources, booked = None, {}, {}
    for kind, pk, name, active, text, starts_at in rows:
        if kind == "project":
            project = Project.from_db("default", ["id", "code", "name", "active"],
                                      [pk, text, name, active])  # fmt: skip
        elif kind == "resource":
            resources[pk] = Resource.from_db(
                "default", ["id", "name", "active"], [pk, name, active]
            )
        else:
            booked[int(text), starts_at] = pk
    errors: dict[str, list[str]] = {}
    if project is None:
        errors["project"] = [_("There is no such project.")]
    elif not project.active:
        errors["project"] = [_("The project is not active.")]
    for index, item in enumerate(items):
        resource = resources.get(item.resource_id)
        if resource is None:
            errors[f"items.{index}.resource"] = [_("There is no such resource.")]
        elif not resource.active:
            errors[f"items.{index}.resource"] = [_("The resource is not active.")]
    if errors:
        raise ValidationError(errors)
    return project, resources, booked


def _conflict_error(items: Sequence[AllocationItem]) -> AllocationConflict:
    conflicts = selectors.allocation_conflicts(items=items)
    return AllocationConflict(
        _("%(count)d existing booking(s) overlap the requested periods.")
        % {"count": len(conflicts)},
        conflicts=conflicts,
    )


def allocate(
    *, project_id: int, items: Sequence[AllocationItem], actor, note: str = ""
) -> list[Allocation]:
    """Book every item for the project, all or nothing.

    Raises AllocationConflict listing every existing booking in the way. The exclusion
    constraint is the guarantee and the only check: when it refuses, the transaction is
    rolled back and the bookings in the way are looked up for the answer."""
    _validate_items(items)
    created_by = actor if getattr(actor, "is_authenticated", False) else None

    def book() -> list[Allocation]:
        now = timezone.now()
        project, resources, ids = _book(
            project_id=project_id, items=items, note=note, created_by=created_by, now=now
        )
        allocations = [
            Allocation(
                pk=ids[item.resource_id, item.starts_at],
                resource=resources[item.resource_id],
                project=project,
                period=Range(item.starts_at, item.ends_at, "[)"),
                status=AllocationStatus.BOOKED,
                note=note,
                created_by=created_by,
                created_at=now,
            )
            for item in items
        ]
        for allocation in allocations:
            event_emit(
                ALLOCATION_CREATED,
                aggregate_id=allocation.pk,
                payload=allocation_payload(allocation),
                actor=actor,
            )
        return allocations

    try:
        allocations = _retrying_deadlocks(book)
    except IntegrityError as exc:
        if _sqlstate(exc) == _EXCLUSION_VIOLATION:
            metrics.bookings.labels(outcome="conflict").inc()
            raise _conflict_error(items) from exc
        if _sqlstate(exc) == _FOREIGN_KEY_VIOLATION:
            raise Conflict(_("A resource or the project was deleted meanwhile.")) from exc
        raise
    transaction.on_commit(metrics.bookings.labels(outcome="booked").inc)
    return allocations


def allocation_cancel(*, allocation_id: int, actor, reason: str = "") -> Allocation:
    """Cancel a booking and free its slot. Cancelling a cancelled booking changes nothing."""

    def cancel() -> Allocation:
        allocation = Allocation.objects.select_for_update().filter(pk=allocation_id).first()
        if allocation is None:
            raise NotFound(_("There is no such allocation."))
        if allocation.status == AllocationStatus.CANCELLED:
            return allocation
        allocation.status = AllocationStatus.CANCELLED
        allocation.cancelled_at = timezone.now()
        allocation.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
        allocation.cancel_reason = reason
        allocation.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        event_emit(
            ALLOCATION_CANCELLED,
            aggregate_id=allocation.pk,
            payload=allocation_cancelled_payload(allocation, reason=reason),
            actor=actor,
        )
        return allocation

    return _retrying_deadlocks(cancel)


@dataclass
class MatchPlan:
    demands: list[matching.Demand]
    assignment: matching.Assignment
    names: dict[int, str]
    allocation_ids: dict[int, int]  # demand index → allocation booked for it


def _demands(requested: Sequence[dict]) -> list[matching.Demand]:
    """Demands ({key, kind, skills, from, to}) with their skills, named by id or name,
    resolved in one go; unknown skills are a 400."""
    skills = selectors.skill_ids_by_field(
        {f"demands.{index}.skills": demand["skills"] for index, demand in enumerate(requested)}
    )
    return [
        matching.Demand(
            key=demand["key"],
            kind=demand.get("kind"),
            skills=frozenset(skills[f"demands.{index}.skills"]),
            starts_at=demand["from"],
            ends_at=demand["to"],
        )
        for index, demand in enumerate(requested)
    ]


def match(
    *,
    demands: Sequence[dict],
    resource_ids: Sequence[int] | None,
    strategy: str,
    project_id: int | None,
    actor,
    note: str = "",
) -> MatchPlan:
    """Assign resources to demands (see matching); with a project, book the assignment in
    one transaction, which fails with AllocationConflict if someone booked in between."""
    demands = _demands(demands)
    candidates = selectors.match_candidates(resource_ids=resource_ids)
    busy = selectors.busy_pairs(
        windows=[(d.starts_at, d.ends_at) for d in demands],
        resource_ids=[c.id for c in candidates],
    )
    assignment = matching.solve(
        demands,
        [matching.Supply(c.id, c.kind, c.hourly_cost, c.skills) for c in candidates],
        busy,
        strategy=strategy,
        surplus_skill_hourly=settings.RESOURCES_MATCH_SURPLUS_SKILL_HOURLY,
    )
    allocation_ids = {}
    if project_id is not None and assignment.pairs:
        booked = allocate(
            project_id=project_id,
            items=[
                AllocationItem(resource_id, demands[row].starts_at, demands[row].ends_at)
                for row, resource_id, _cost in assignment.pairs
            ],
            note=note,
            actor=actor,
        )
        allocation_ids = {
            row: allocation.pk
            for (row, _resource, _cost), allocation in zip(assignment.pairs, booked, strict=True)
        }
    return MatchPlan(
        demands=demands,
        assignment=assignment,
        names={c.id: c.name for c in candidates},
        allocation_ids=allocation_ids,
    )
