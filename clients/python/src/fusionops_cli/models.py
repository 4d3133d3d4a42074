"""The request and response bodies the client sends and reads, as docs/openapi.yaml states
them (components/schemas). Decimals travel as strings, times as RFC 3339 strings.

Fields named `from` cannot be class attributes, so those types use the functional form.
"""

from typing import Any, Literal, NotRequired, TypedDict

# --- Errors ------------------------------------------------------------------------------


class Problem(TypedDict):
    """application/problem+json (RFC 9457); extras such as `conflicts` or `shortages`."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str
    client_request_id: NotRequired[str]
    errors: NotRequired[dict[str, list[str]]]


# An existing booking in the way (the `conflicts` of an allocation-conflict problem).
AllocationConflict = TypedDict(
    "AllocationConflict",
    {
        "item": int,
        "allocation": int,
        "resource": int,
        "resource_name": str,
        "project": int,
        "from": str,
        "to": str,
    },
)


class Shortage(TypedDict):
    """A line asking for more than is available (the `shortages` of insufficient-stock)."""

    item: int
    location: int
    requested: str
    available: str


# --- Pages -------------------------------------------------------------------------------


class Page[T](TypedDict):
    """A cursor-paginated list: follow `next` until it is null."""

    next: str | None
    previous: str | None
    results: list[T]


# --- Resources and bookings --------------------------------------------------------------

AllocationItemRequest = TypedDict(
    "AllocationItemRequest", {"resource": int, "from": str, "to": str}
)


class AllocateRequest(TypedDict):
    project: int
    items: list[AllocationItemRequest]
    note: NotRequired[str]


Allocation = TypedDict(
    "Allocation",
    {
        "id": int,
        "project": int,
        "project_code": str,
        "resource": int,
        "resource_name": str,
        "from": str,
        "to": str,
        "status": str,
        "note": str,
        "created_by": str | None,
        "created_at": str,
        "cancelled_at": str | None,
        "cancel_reason": str,
    },
)


class AllocationsCreated(TypedDict):
    allocations: list[Allocation]


FreeSlot = TypedDict("FreeSlot", {"from": str, "to": str})


class ResourceAvailability(TypedDict):
    resource: int
    name: str
    kind: str
    slots: list[FreeSlot]


ResourceKind = Literal["person", "equipment", "vehicle", "room"]
Strategy = Literal["hungarian", "greedy"]

DemandRequest = TypedDict(
    "DemandRequest",
    {
        "key": str,
        "kind": NotRequired[ResourceKind | None],
        "skills": NotRequired[list[str]],
        "from": str,
        "to": str,
    },
)


class MatchRequest(TypedDict):
    demands: list[DemandRequest]
    resources: NotRequired[list[int]]
    strategy: NotRequired[Strategy]
    commit: NotRequired[bool]
    project: NotRequired[int]
    note: NotRequired[str]


class MatchAssignment(TypedDict):
    demand: str
    resource: int
    resource_name: str
    cost: float
    allocation: int | None


class MatchUnassigned(TypedDict):
    demand: str
    reason: str


class MatchResult(TypedDict):
    strategy: str
    total_cost: float
    assignments: list[MatchAssignment]
    unassigned: list[MatchUnassigned]
    committed: bool


# --- Stock -------------------------------------------------------------------------------


class MovementInputRequest(TypedDict):
    """Input of receive and issue."""

    item: int
    location: int
    quantity: str
    reference: NotRequired[str]
    reason: NotRequired[str]


class TransferInputRequest(TypedDict):
    item: int
    source: int
    destination: int
    quantity: str
    reference: NotRequired[str]
    reason: NotRequired[str]


class StockMovement(TypedDict):
    id: int
    item: int
    location: int
    kind: str
    quantity: str
    on_hand_delta: str
    reserved_delta: str
    on_hand_after: str
    reserved_after: str
    reference: str
    reason: str
    actor: str | None
    created_at: str


Transfer = TypedDict("Transfer", {"out": StockMovement, "in": StockMovement})


# --- Orders ------------------------------------------------------------------------------

OrderStatus = Literal["placed", "reserved", "paid", "fulfilled", "rejected", "cancelled"]


class OrderLineInputRequest(TypedDict):
    item: int
    location: int
    quantity: str


class OrderInputRequest(TypedDict):
    customer_reference: str
    lines: list[OrderLineInputRequest]


class OrderLine(TypedDict):
    item: int
    sku: str
    location: int
    quantity: str
    unit_price: str
    line_total: str


class Order(TypedDict):
    id: int
    number: str
    customer_reference: str
    status: OrderStatus
    subtotal: str
    discount: str
    total: str
    pricing_rule: Any
    reason: str
    correlation_id: str
    payment: dict[str, Any] | None
    created_at: str
    updated_at: str


class OrderDetail(Order):
    lines: list[OrderLine]


class DeliveryState(TypedDict):
    subscriber: str
    state: str
    attempts: int
    last_error: str
    next_attempt_at: str | None


class WorkflowEvent(TypedDict):
    id: str
    seq: int
    type: str
    occurred_at: str
    recorded_at: str
    actor: Any
    causation_id: str | None
    payload: Any
    deliveries: list[DeliveryState]


class Workflow(TypedDict):
    order: Order
    timeline: list[WorkflowEvent]


# --- The audit log and the event backbone ------------------------------------------------


class Event(TypedDict):
    id: str
    seq: int
    position: int | None
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    actor: Any
    correlation_id: str
    causation_id: str | None
    occurred_at: str
    recorded_at: str
    payload: Any


class EventType(TypedDict):
    type: str
    version: int
    aggregate_type: str
    description: str
    public: bool
    topics: list[str]
    message_type: str | None
    schema: Any


class EventCatalogue(TypedDict):
    event_types: list[EventType]


class DeadLetter(TypedDict):
    id: int
    subscriber: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: str
    created_at: str
    updated_at: str


class Checkpoint(TypedDict):
    """A signed head of the chain, as the worker writes it (apps/eventlog/checkpoints.py)."""

    format: int
    position: int
    chain: str
    at: str
    key_id: str
    signature: str


class AuditVerifyRequest(TypedDict):
    since: NotRequired[str]
    checkpoints: NotRequired[list[Checkpoint]]


class AuditVerification(TypedDict):
    ok: bool
    events: int
    sealed: int
    pending: int
    broken_at: str | None
    reason: str | None
    checkpoints_held: int | None


# --- The live stream (/ws/notify/) -------------------------------------------------------


class LiveMessage(TypedDict):
    """A server message: an event message (`position`, `event_id`, `data`), or one of
    subscribed, resync, error, ping, pong, unsubscribed."""

    type: str
    position: NotRequired[int | None]
    event_id: NotRequired[str]
    occurred_at: NotRequired[str]
    version: NotRequired[int]
    data: NotRequired[Any]
    topics: NotRequired[list[str]]
    code: NotRequired[str]
    detail: NotRequired[str]
    topic: NotRequired[str]
