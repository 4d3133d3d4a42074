"""Reads of the resources app: bookings, free slots, history, and the inputs of matching."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from psycopg.types.range import Range

from apps.resources.choices import AllocationStatus
from apps.resources.models import Allocation, AllocationHistory, Resource, Skill


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.select_related("resource", "project", "created_by")


def resource_bookings(*, resource_id: int, starts_at: datetime, ends_at: datetime):
    """A resource's booked allocations that touch [starts_at, ends_at), in time order."""
    return (
        Allocation.objects.filter(
            resource_id=resource_id,
            status=AllocationStatus.BOOKED,
            period__overlap=Range(starts_at, ends_at, "[)"),
        )
        .select_related("project")
        .order_by("period")
    )


def allocation_conflicts(*, items: Sequence) -> list[dict]:
    """Booked allocations that overlap any of `items` (objects with resource_id, starts_at
    and ends_at), each with the index of the item it is in the way of."""
    condition = Q()
    for item in items:
        condition |= Q(
            resource_id=item.resource_id,
            period__overlap=Range(item.starts_at, item.ends_at, "[)"),
        )
    found = (
        Allocation.objects.filter(condition, status=AllocationStatus.BOOKED)
        .select_related("resource")
        .order_by("resource_id", "period")
    )
    conflicts = []
    for allocation in found:
        for index, item in enumerate(items):
            if item.resource_id == allocation.resource_id and (
                allocation.period.lower < item.ends_at and item.starts_at < allocation.period.upper
            ):
                conflicts.append(
                    {
                        "item": index,
                        "allocation": allocation.pk,
                        "resource": allocation.resource_id,
                        "resource_name": allocation.resource.name,
                        "project": allocation.project_id,
                        "from": allocation.period.lower,
                        "to": allocation.period.upper,
                    }
                )
    return conflicts


def allocations_by_project(*, project_ids: Sequence[int]) -> dict[int, list[Allocation]]:
    """Every allocation of each project, in one query, newest period last."""
    grouped: dict[int, list[Allocation]] = {project_id: [] for project_id in project_ids}
    for allocation in (
        Allocation.objects.filter(project_id__in=project_ids)
        .select_related("resource", "project", "created_by")
        .order_by("project_id", "period", "id")
    ):
        grouped[allocation.project_id].append(allocation)
    return grouped


def resources_matching(*, ids=None, kind=None, skills=None) -> QuerySet[Resource]:
    """Active resources by id, kind, and skills they all have (`skills`: skill ids)."""
    resources = Resource.objects.filter(active=True)
    if ids is not None:
        resources = resources.filter(pk__in=ids)
    if kind:
        resources = resources.filter(kind=kind)
    for skill_id in skills or ():
        resources = resources.filter(skills__id=skill_id)
    return resources


# Free time per resource: the window, minus booked periods, intersected with working hours
# (generated per local day in the resource's own time zone, so DST shifts are PostgreSQL's
# business) when asked; one query for all resources of the page.
_FREE_SLOTS = """
WITH wanted AS (
    SELECT id, timezone, work_days, work_start, work_end
    FROM resources_resource WHERE id = ANY(%(ids)s)
), window_range AS (
    SELECT tstzrange(%(from)s, %(to)s, '[)') AS w
), busy AS (
    SELECT a.resource_id, range_agg(a.period) AS periods
    FROM resources_allocation a, window_range
    WHERE a.resource_id = ANY(%(ids)s) AND a.status = 'booked' AND a.period && window_range.w
    GROUP BY a.resource_id
), hours AS (
    SELECT wanted.id, range_agg(tstzrange(
        (day + wanted.work_start) AT TIME ZONE wanted.timezone,
        (CASE WHEN wanted.work_end = time '00:00' THEN (day + 1) + time '00:00'
              ELSE day + wanted.work_end END) AT TIME ZONE wanted.timezone,
        '[)'
    )) AS periods
    FROM wanted
    CROSS JOIN LATERAL generate_series(
        (%(from)s::timestamptz AT TIME ZONE wanted.timezone)::date - 1,
        (%(to)s::timestamptz AT TIME ZONE wanted.timezone)::date,
        interval '1 day'
    ) AS series(local_midnight)
    CROSS JOIN LATERAL (SELECT local_midnight::date AS day) AS local_day
    WHERE %(clip)s AND extract(isodow FROM day)::int = ANY(wanted.work_days)
    GROUP BY wanted.id
)
SELECT wanted.id, lower(slot), upper(slot)
FROM wanted
CROSS JOIN window_range
LEFT JOIN busy ON busy.resource_id = wanted.id
LEFT JOIN hours ON hours.id = wanted.id
CROSS JOIN LATERAL unnest(
    (tstzmultirange(window_range.w) - coalesce(busy.periods, '{}'::tstzmultirange))
    * CASE WHEN %(clip)s THEN coalesce(hours.periods, '{}'::tstzmultirange)
           ELSE tstzmultirange(window_range.w) END
) AS slot
WHERE upper(slot) - lower(slot) >= %(min_duration)s
ORDER BY wanted.id, lower(slot)
"""


def free_slots(
    *,
    resource_ids: Sequence[int],
    starts_at: datetime,
    ends_at: datetime,
    min_duration: timedelta = timedelta(0),
    working_hours: bool = False,
) -> dict[int, list[dict]]:
    """The free periods of each resource within [starts_at, ends_at): the gaps between its
    bookings (cancelled ones free their time), at least `min_duration` long, clipped to
    its working hours when `working_hours` is set. Each slot is {"from": …, "to": …}."""
    slots: dict[int, list[dict]] = {pk: [] for pk in resource_ids}
    if not resource_ids:
        return slots
    with connection.cursor() as cursor:
        cursor.execute(
            _FREE_SLOTS,
            {
                "ids": list(resource_ids),
                "from": starts_at,
                "to": ends_at,
                "clip": working_hours,
                "min_duration": max(min_duration, timedelta(microseconds=1)),
            },
        )
        for resource_id, lower, upper in cursor.fetchall():
            slots[resource_id].append({"from": lower, "to": upper})
    return slots


@dataclass(frozen=True)
class HistoryPage:
    items: list[AllocationHistory]
    page: int
    page_size: int
    total: int


def allocation_history(*, project_id: int) -> QuerySet[AllocationHistory]:
    """A project's allocation history, oldest first, from the projection."""
    return AllocationHistory.objects.filter(project_id=project_id).order_by(
        "recorded_at", "event_id"
    )


def allocation_history_page(
    *,
    project_id: int,
    recorded_from: datetime | None,
    recorded_to: datetime | None,
    page: int,
    page_size: int,
) -> HistoryPage:
    """One page of a project's allocation history, oldest first, from the projection."""
    rows = AllocationHistory.objects.filter(project_id=project_id)
    if recorded_from is not None:
        rows = rows.filter(recorded_at__gte=recorded_from)
    if recorded_to is not None:
        rows = rows.filter(recorded_at__lt=recorded_to)
    total = rows.count()
    start = (page - 1) * page_size
    items = list(rows.order_by("recorded_at", "event_id")[start : start + page_size])
    return HistoryPage(items=items, page=page, page_size=page_size, total=total)


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    kind: str
    hourly_cost: float
    skills: frozenset[int]


def match_candidates(*, resource_ids: Sequence[int] | None) -> list[Candidate]:
    """Every active resource (or those named) with its skill ids, in one query."""
    resources = resources_matching(ids=resource_ids).annotate(
        skill_ids=ArrayAgg("skills__id", filter=Q(skills__isnull=False), default=[])
    )
    return [
        Candidate(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            hourly_cost=float(row["hourly_cost"]),
            skills=frozenset(row["skill_ids"]),
        )
        for row in resources.order_by("id").values("id", "name", "kind", "hourly_cost", "skill_ids")
    ]


def busy_pairs(
    *, windows: Sequence[tuple[datetime, datetime]], resource_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(window index, resource id) for every resource booked somewhere in that window. One
    query fetches the bookings within the windows' envelope; the pairs are found with array
    comparisons, never a query per pair."""
    if not windows or not resource_ids:
        return set()
    starts = np.array([w[0].timestamp() for w in windows])
    ends = np.array([w[1].timestamp() for w in windows])
    envelope = Range(windows[starts.argmin()][0], windows[ends.argmax()][1], "[)")
    booked = list(
        Allocation.objects.filter(
            resource_id__in=resource_ids,
            status=AllocationStatus.BOOKED,
            period__overlap=envelope,
        ).values_list("resource_id", "period")
    )
    pairs: set[tuple[int, int]] = set()
    for resource_id, period in booked:
        overlapping = (starts < period.upper.timestamp()) & (period.lower.timestamp() < ends)
        pairs.update((int(index), resource_id) for index in np.flatnonzero(overlapping))
    return pairs


def skills_by_reference(references: Iterable[str]) -> dict[str, int]:
    """Skills named by id or (case-insensitively) by name, in two queries however many
    references: {reference: skill id} for those that name a skill."""
    references = set(references)
    numbers = [int(reference) for reference in references if _is_number(reference)]
    names = {reference.lower() for reference in references if not _is_number(reference)}
    by_id = (
        set(Skill.objects.filter(pk__in=numbers).values_list("pk", flat=True)) if numbers else set()
    )
    by_name = (
        dict(
            Skill.objects.annotate(lowered=Lower("name"))
            .filter(lowered__in=names)
            .values_list("lowered", "pk")
        )
        if names
        else {}
    )
    found = {}
    for reference in references:
        number = _is_number(reference)
        pk = int(reference) if number else by_name.get(reference.lower())
        if pk is not None and (not number or pk in by_id):
            found[reference] = pk
    return found


def skill_ids_by_field(references: dict[str, Sequence[str]]) -> dict[str, list[int]]:
    """The skill ids that each input field's references (ids or names) stand for, looked
    up in one go; a ValidationError naming every field with an unknown skill otherwise."""
    known = skills_by_reference(reference for refs in references.values() for reference in refs)
    errors = {
        field: [_("Unknown skills: %s") % ", ".join(unknown)]
        for field, refs in references.items()
        if (unknown := [reference for reference in refs if reference not in known])
    }
    if errors:
        raise ValidationError(errors)
    return {field: [known[reference] for reference in refs] for field, refs in references.items()}


def _is_number(reference: str) -> bool:
    return reference.isascii() and reference.isdigit() and len(reference) <= 18


def bookings_between(*, starts_at: datetime, ends_at: datetime) -> QuerySet[Allocation]:
    """Booked allocations that touch [starts_at, ends_at), by resource and time."""
    return (
        Allocation.objects.filter(
            status=AllocationStatus.BOOKED, period__overlap=Range(starts_at, ends_at, "[)")
        )
        .select_related("resource", "project")
        .order_by("resource__name", "period")
    )
