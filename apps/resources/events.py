"""The events of the resources app: its catalogue (skills, resources, projects) and
bookings, with their public contracts."""

from datetime import time
from decimal import Decimal

from pydantic import AwareDatetime, ConfigDict, Field

from apps.core.catalogue import declare_catalogue_events
from apps.eventlog.contracts import Live, PublicPayload
from apps.eventlog.registry import registry
from apps.resources.choices import AllocationStatus, ResourceKind
from apps.resources.models import Allocation, Project, Resource, Skill

# --- The catalogue ------------------------------------------------------------------------


class SkillRecord(PublicPayload):
    id: int
    name: str
    description: str


class ResourceRecord(PublicPayload):
    id: int
    name: str
    kind: ResourceKind
    skills: list[int] = Field(description="The ids of the resource's skills.")
    hourly_cost: Decimal
    timezone: str = Field(description="IANA time zone of its working hours.")
    work_days: list[int] = Field(description="ISO weekdays: 1 is Monday, 7 is Sunday.")
    work_start: time
    work_end: time
    active: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ProjectRecord(PublicPayload):
    id: int
    code: str
    name: str
    active: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


_STAMPS = {"created_at": "2026-11-30T08:00:00Z", "updated_at": "2026-11-30T08:00:00Z"}
SKILL_EVENTS = declare_catalogue_events(
    Skill,
    record=SkillRecord,
    example={"id": 3, "name": "Welding", "description": "MIG and TIG"},
)
RESOURCE_EVENTS = declare_catalogue_events(
    Resource,
    record=ResourceRecord,
    example={
        "id": 7, "name": "CNC mill 1", "kind": "equipment", "skills": [1, 3],
        "hourly_cost": "85.00", "timezone": "Europe/Berlin", "work_days": [1, 2, 3, 4, 5],
        "work_start": "07:00:00", "work_end": "16:00:00", "active": True, **_STAMPS,
    },
)  # fmt: skip
PROJECT_EVENTS = declare_catalogue_events(
    Project,
    record=ProjectRecord,
    example={"id": 2, "code": "ORD-1001", "name": "Gearbox housings", "active": True, **_STAMPS},
)


# --- Bookings ---------------------------------------------------------------------------


class AllocationV1(PublicPayload):
    """A booking of one resource for one project over a period."""

    model_config = ConfigDict(populate_by_name=True)

    allocation_id: int
    project_id: int
    resource_id: int
    starts_at: AwareDatetime = Field(alias="from", description="Start of the period.")
    ends_at: AwareDatetime = Field(alias="to", description="End of the period (exclusive).")
    status: AllocationStatus
    note: str


class AllocationCancelledV1(AllocationV1):
    reason: str


def allocation_payload(allocation: Allocation) -> dict:
    return {
        "allocation_id": allocation.pk,
        "project_id": allocation.project_id,
        "resource_id": allocation.resource_id,
        "from": allocation.period.lower.isoformat(),
        "to": allocation.period.upper.isoformat(),
        "status": allocation.status,
        "note": allocation.note,
    }


def allocation_cancelled_payload(allocation: Allocation, *, reason: str) -> dict:
    return {**allocation_payload(allocation), "reason": reason}


_BOOKING_TOPICS = ("allocations", "project:{project_id}")
_BOOKING = {
    "allocation_id": 41,
    "project_id": 2,
    "resource_id": 7,
    "from": "2026-12-01T07:00:00+00:00",
    "to": "2026-12-01T15:00:00+00:00",
    "status": "booked",
    "note": "Gearbox housings, first batch",
}

ALLOCATION_CREATED = registry.declare(
    "resources.allocation.created",
    aggregate_type="resources.allocation",
    description="A resource was booked for a project.",
    public=AllocationV1,
    live=Live("allocationCreated", topics=_BOOKING_TOPICS, alias="ResourceAllocated"),
    example=_BOOKING,
)
ALLOCATION_CANCELLED = registry.declare(
    "resources.allocation.cancelled",
    aggregate_type="resources.allocation",
    description="A booking was cancelled.",
    public=AllocationCancelledV1,
    live=Live("allocationCancelled", topics=_BOOKING_TOPICS, alias="allocationUpdate"),
    example={**_BOOKING, "status": "cancelled", "reason": "Machine down for repair"},
)
