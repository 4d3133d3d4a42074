"""The object types: the REST API's resources with their relations, read through the
optimizer (one query per list level, whatever the nesting). A relation into what another
permission guards (an order line's item) asks for that permission, and is null with a
FORBIDDEN error for a caller without it."""

from datetime import datetime, time
from decimal import Decimal
from uuid import UUID

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry_django.relay import DjangoCursorConnection

from apps.core.models import SystemSetting
from apps.eventlog.contracts import ContractViolation
from apps.eventlog.models import Event
from apps.eventlog.registry import registry
from apps.graph.context import user_of
from apps.graph.filters import (
    AllocationStatusEnum,
    LocationKindEnum,
    MovementKindEnum,
    OrderStatusEnum,
    ReplenishmentStatusEnum,
    ResourceKindEnum,
)
from apps.graph.permissions import requires
from apps.inventory.models import Item, Location, Replenishment, StockLevel, StockMovement
from apps.orders import selectors as orders
from apps.orders.models import Order, OrderLine, Payment
from apps.resources.models import Allocation, Project, Resource, Skill

VIEW_ALLOCATIONS = requires("resources.view_allocation")
VIEW_ITEMS = requires("inventory.view_item")
VIEW_LOCATIONS = requires("inventory.view_location")
VIEW_MOVEMENTS = requires("inventory.view_stockmovement")
VIEW_LEVELS = requires("inventory.view_stocklevel")
VIEW_REPLENISHMENTS = requires("inventory.view_replenishment")


@strawberry_django.type(Skill, name="Skill")
class SkillType:
    id: int
    name: strawberry.auto
    description: strawberry.auto


@strawberry_django.type(Resource, name="Resource")
class ResourceType:
    id: int
    name: strawberry.auto
    kind: ResourceKindEnum
    skills: list[SkillType]
    hourly_cost: Decimal
    timezone: str
    work_days: list[int] = strawberry.field(description="ISO weekdays: 1 is Monday.")
    work_start: time
    work_end: time = strawberry.field(description="00:00 means midnight.")
    active: bool
    created_at: datetime
    updated_at: datetime
    allocations: DjangoCursorConnection["AllocationType"] = strawberry_django.connection(
        permission_classes=[VIEW_ALLOCATIONS], description="Its bookings, newest first."
    )


@strawberry_django.type(Project, name="Project")
class ProjectType:
    id: int
    code: strawberry.auto
    name: strawberry.auto
    active: bool
    created_at: datetime
    updated_at: datetime
    allocations: DjangoCursorConnection["AllocationType"] = strawberry_django.connection(
        permission_classes=[VIEW_ALLOCATIONS], description="Its bookings, newest first."
    )


@strawberry_django.type(Allocation, name="Allocation")
class AllocationType:
    id: int
    project: ProjectType
    resource: ResourceType
    status: AllocationStatusEnum
    note: str
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str

    @strawberry_django.field(name="from", only=["period"])
    def from_(self, root: Allocation) -> datetime:
        return root.period.lower

    @strawberry_django.field(only=["period"])
    def to(self, root: Allocation) -> datetime:
        return root.period.upper

    @strawberry_django.field(select_related=["created_by"], only=["created_by__username"])
    def created_by(self, root: Allocation) -> str | None:
        return root.created_by.username if root.created_by_id else None


@strawberry.type(name="FreeSlot")
class FreeSlotType:
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.type(name="ResourceAvailability")
class ResourceAvailabilityType:
    resource: ResourceType
    slots: list[FreeSlotType]


@strawberry_django.type(Location, name="Location")
class LocationType:
    id: int
    code: strawberry.auto
    name: strawberry.auto
    kind: LocationKindEnum
    parent: "LocationType | None"


@strawberry_django.type(Item, name="Item")
class ItemType:
    id: int
    sku: strawberry.auto
    name: strawberry.auto
    unit: strawberry.auto
    unit_price: Decimal
    active: bool
    auto_reorder: bool
    created_at: datetime
    updated_at: datetime
    levels: DjangoCursorConnection["StockLevelType"] = strawberry_django.connection(
        field_name="stocklevel_set",
        permission_classes=[VIEW_LEVELS],
        description="Its stock per location.",
    )
    movements: DjangoCursorConnection["StockMovementType"] = strawberry_django.connection(
        field_name="stockmovement_set",
        permission_classes=[VIEW_MOVEMENTS],
        description="Its ledger, newest first.",
    )
    replenishments: DjangoCursorConnection["ReplenishmentType"] = strawberry_django.connection(
        field_name="replenishment_set",
        permission_classes=[VIEW_REPLENISHMENTS],
        description="Its replenishments, newest first (filter open ones at the root list).",
    )


@strawberry_django.type(StockLevel, name="StockLevel")
class StockLevelType:
    id: int
    item: ItemType
    location: LocationType
    on_hand: Decimal
    reserved: Decimal
    reorder_point: Decimal
    reorder_qty: Decimal
    updated_at: datetime

    @strawberry_django.field(only=["on_hand", "reserved"], description="On hand, not reserved.")
    def available(self, root: StockLevel) -> Decimal:
        return root.available

    @strawberry_django.field(only=["on_hand", "reserved", "reorder_point"])
    def below_reorder(self, root: StockLevel) -> bool:
        return root.below_reorder


@strawberry_django.type(StockMovement, name="StockMovement")
class StockMovementType:
    id: int
    item: ItemType
    location: LocationType
    kind: MovementKindEnum
    quantity: Decimal
    on_hand_delta: Decimal
    reserved_delta: Decimal
    on_hand_after: Decimal
    reserved_after: Decimal
    reference: str
    reason: str
    created_at: datetime

    @strawberry_django.field(select_related=["actor"], only=["actor__username"])
    def actor(self, root: StockMovement) -> str | None:
        return root.actor.username if root.actor_id else None


@strawberry_django.type(Replenishment, name="Replenishment")
class ReplenishmentType:
    id: int
    item: ItemType
    location: LocationType
    quantity: Decimal
    status: ReplenishmentStatusEnum
    created_at: datetime
    closed_at: datetime | None


@strawberry.type(name="Reservation")
class ReservationType:
    id: int
    item: int
    location: int
    quantity: Decimal
    reference: str
    status: str
    expires_at: datetime | None


@strawberry_django.type(Payment, name="Payment")
class PaymentType:
    amount: Decimal
    status: str
    provider_reference: str
    reason: str


@strawberry_django.type(OrderLine, name="OrderLine")
class OrderLineType:
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    item: ItemType | None = strawberry_django.field(permission_classes=[VIEW_ITEMS])
    location: LocationType | None = strawberry_django.field(permission_classes=[VIEW_LOCATIONS])

    @strawberry_django.field(only=["item_id"])
    def item_id(self, root: OrderLine) -> int:
        return root.item_id

    @strawberry_django.field(only=["location_id"])
    def location_id(self, root: OrderLine) -> int:
        return root.location_id

    @strawberry_django.field(select_related=["item"], only=["item__sku"])
    def sku(self, root: OrderLine) -> str:
        return root.item.sku


@strawberry.type(name="DeliveryState")
class DeliveryStateType:
    subscriber: str
    state: str = strawberry.field(description="pending, retrying, done or dead")
    attempts: int
    last_error: str
    next_attempt_at: datetime | None


@strawberry.type(name="WorkflowStep", description="One event of the order and its deliveries.")
class WorkflowStepType:
    id: UUID
    seq: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: JSON
    causation_id: UUID | None
    payload: JSON
    deliveries: list[DeliveryStateType]


@strawberry_django.type(Order, name="Order")
class OrderType:
    id: int
    number: str
    customer_reference: str
    status: OrderStatusEnum
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    pricing_rule: JSON
    reason: str
    correlation_id: str
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineType]

    @strawberry_django.field(select_related=["payment"])
    def payment(self, root: Order) -> PaymentType | None:
        return getattr(root, "payment", None)

    @strawberry_django.field(
        description="Where the order stands and why: its events in order, with each "
        "subscriber's delivery (errors and actors for Admins). Reads the log: ask it of "
        "one order at a time."
    )
    def workflow(self, root: Order, info: strawberry.Info) -> list[WorkflowStepType]:
        details = user_of(info).has_perm("eventlog.view_delivery")
        return [
            WorkflowStepType(
                id=step["id"], seq=step["seq"], type=step["type"],
                occurred_at=step["occurred_at"], recorded_at=step["recorded_at"],
                actor=step["actor"], causation_id=step["causation_id"], payload=step["payload"],
                deliveries=[DeliveryStateType(**delivery) for delivery in step["deliveries"]],
            )
            for step in orders.order_workflow(root, details=details)
        ]  # fmt: skip


@strawberry_django.type(Event, name="Event")
class EventType:
    id: UUID
    seq: int
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    actor: JSON
    correlation_id: str
    causation_id: UUID | None
    occurred_at: datetime
    recorded_at: datetime

    @strawberry_django.field(
        only=[], description="Position in commit order; null until sealed (the stream's)."
    )
    def position(self, root: Event) -> int | None:
        return root.position

    @strawberry_django.field(
        only=["type", "payload"],
        description="The public payload (its type's contract); null for an event that never "
        "leaves the portal.",
    )
    def payload(self, root: Event) -> JSON | None:
        event_type = registry.event_type(root.type)
        if event_type is None:
            return None
        try:
            return event_type.public_payload(root.payload)
        except ContractViolation:  # recorded before its contract held: auditors use REST
            return None


@strawberry_django.type(SystemSetting, name="SystemSetting")
class SystemSettingType:
    key: str
    value: JSON
    description: str
    updated_at: datetime

    @strawberry_django.field(select_related=["updated_by"], only=["updated_by__username"])
    def updated_by(self, root: SystemSetting) -> str | None:
        return root.updated_by.username if root.updated_by_id else None
