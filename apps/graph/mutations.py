"""Mutation: the writes of the REST API, through the same input serializers and the same
services (the admin's too). Each answers a union of its success type and the problems it
can meet (problems.py); a mutation that answers a problem wrote nothing.

`idempotencyKey` is the REST `Idempotency-Key` header as an argument, honoured by the same
claim (core.idempotency): the same key with the same arguments answers the first result
again (`replayed: true`) and writes nothing; with other arguments it is
IdempotencyKeyReused; while the first still runs, IdempotencyKeyInFlight."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from graphql import GraphQLError

from apps.core import idempotency
from apps.graph.context import user_of
from apps.graph.filters import ResourceKindEnum
from apps.graph.permissions import FORBIDDEN, requires
from apps.graph.problems import (
    EXPECTED,
    AllocationConflict,
    Conflict,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InsufficientStock,
    NotFound,
    ValidationFailed,
    problem_of,
    validation_failed,
)
from apps.graph.types import AllocationType, OrderType, ReservationType, StockMovementType
from apps.inventory import services as inventory
from apps.inventory.api.serializers import (
    AdjustInputSerializer,
    MovementInputSerializer,
    ReleaseInputSerializer,
    ReserveInputSerializer,
    TransferInputSerializer,
)
from apps.inventory.models import StockMovement
from apps.orders import selectors as order_selectors
from apps.orders import services as orders
from apps.orders.api.serializers import CancelInputSerializer, OrderInputSerializer
from apps.platform.api.validation import validated
from apps.platform.exceptions import NotFound as NotFoundError
from apps.resources import selectors as resource_selectors
from apps.resources import services as resources
from apps.resources.api.serializers import (
    AllocateSerializer,
    CancelSerializer,
    MatchSerializer,
    match_answer,
)
from apps.resources.choices import MatchStrategy

MatchStrategyEnum = strawberry.enum(MatchStrategy, name="MatchStrategy")
IDEMPOTENCY_KEY = strawberry.argument(
    description="Send the same key again to retry safely: the first result is answered again."
)


def _fingerprint(operation: str, arguments: dict) -> str:
    body = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"graphql {operation}\n{body}".encode()).hexdigest()


def _attempt(info, operation: str, arguments: dict, key: str | None, work, present):
    """Run `work` (validate, call the service; it returns what names the result, as JSON)
    once per idempotency key, and answer `present(named, replayed)`, or the problem met."""
    try:
        if key is None:
            return present(work(), False)
        if not idempotency.KEY_PATTERN.fullmatch(key):
            return validation_failed(
                {"idempotency_key": ["An idempotency key is 1 to 255 printable ASCII characters."]},
                code="invalid-idempotency-key",
            )
        answer = idempotency.run_once(
            owner=idempotency.owner_of(user_of(info)),
            key=key,
            fingerprint=_fingerprint(operation, arguments),
            work=lambda: idempotency.Answer(201, json.dumps(work())),
        )
        return present(json.loads(answer.body), answer.replayed)
    except EXPECTED as error:
        return problem_of(error)


def _plain(value):
    """An argument as REST's JSON body carries it (the serializers read JSON)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(one) for one in value]
    if isinstance(value, dict):
        return {name: _plain(one) for name, one in value.items()}
    if hasattr(value, "value") and hasattr(type(value), "__members__"):  # an enum
        return value.value
    return value


def _union(types):
    union = types[0]
    for one in types[1:]:
        union = union | one
    return union


def result(name: str, *types):
    """The union a mutation answers: its success type, then its problems."""
    return Annotated[_union(types), strawberry.union(name)]


# --- Bookings -----------------------------------------------------------------------------


@strawberry.input
class BookingItem:
    resource: int
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.type
class Booked:
    allocations: list[AllocationType]
    replayed: bool


@strawberry.type
class BookingCancelled:
    allocation: AllocationType


@strawberry.input
class Demand:
    key: str
    kind: ResourceKindEnum | None = None
    skills: list[str] = strawberry.field(default_factory=list)
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.type
class MatchAssignment:
    demand: str
    resource: int
    resource_name: str
    cost: float
    allocation: int | None


@strawberry.type
class MatchUnassigned:
    demand: str
    reason: str


@strawberry.type
class MatchPlan:
    strategy: str
    total_cost: float
    assignments: list[MatchAssignment]
    unassigned: list[MatchUnassigned]
    committed: bool


# --- Stock ----------------------------------------------------------------------------------


@strawberry.type
class StockMoved:
    movement: StockMovementType
    replayed: bool


@strawberry.type
class StockTransferred:
    out: StockMovementType
    in_: StockMovementType = strawberry.field(name="in")
    replayed: bool


@strawberry.input
class StockLineInput:
    item: int
    location: int
    quantity: Decimal


@strawberry.type
class StockReserved:
    reservations: list[ReservationType]


@strawberry.type
class StockReleased:
    released: int = strawberry.field(description="How many active reservations were released.")


# --- Orders ---------------------------------------------------------------------------------


@strawberry.type
class OrderPlaced:
    order: OrderType
    replayed: bool


@strawberry.type
class OrderCancelled:
    order: OrderType


BookResult = result(
    "BookResult", Booked, AllocationConflict, ValidationFailed, NotFound, Conflict,
    IdempotencyKeyReused, IdempotencyKeyInFlight,
)  # fmt: skip
CancelBookingResult = result("CancelBookingResult", BookingCancelled, NotFound, ValidationFailed)
MatchResult = result(
    "MatchResult", MatchPlan, AllocationConflict, ValidationFailed, NotFound, Conflict
)
StockMoveResult = result(
    "StockMoveResult", StockMoved, InsufficientStock, ValidationFailed, NotFound, Conflict,
    IdempotencyKeyReused, IdempotencyKeyInFlight,
)  # fmt: skip
StockTransferResult = result(
    "StockTransferResult", StockTransferred, InsufficientStock, ValidationFailed, NotFound,
    Conflict, IdempotencyKeyReused, IdempotencyKeyInFlight,
)  # fmt: skip
StockReserveResult = result(
    "StockReserveResult", StockReserved, InsufficientStock, ValidationFailed, NotFound
)
StockReleaseResult = result("StockReleaseResult", StockReleased, ValidationFailed)
PlaceOrderResult = result(
    "PlaceOrderResult", OrderPlaced, ValidationFailed, NotFound, Conflict,
    IdempotencyKeyReused, IdempotencyKeyInFlight,
)  # fmt: skip
CancelOrderResult = result(
    "CancelOrderResult", OrderCancelled, NotFound, ValidationFailed, Conflict
)


def _movement(named: dict, replayed: bool) -> StockMoved:
    movement = StockMovement.objects.select_related("actor").get(pk=named["movement"])
    return StockMoved(movement=movement, replayed=replayed)


def _move_with(service: Callable, serializer, fields: dict, info) -> dict:
    data = validated(serializer, fields)
    movement = service(**{name: data[field] for name, field in _SERVICE_ARGUMENTS[serializer]},
                       actor=user_of(info))  # fmt: skip
    return {"movement": movement.pk}


_SERVICE_ARGUMENTS = {
    MovementInputSerializer: (
        ("item_id", "item"), ("location_id", "location"), ("quantity", "quantity"),
        ("reference", "reference"), ("reason", "reason"),
    ),
    AdjustInputSerializer: (
        ("item_id", "item"), ("location_id", "location"), ("quantity", "quantity"),
        ("reason", "reason"),
    ),
}  # fmt: skip


@strawberry.type
class Mutation:
    # --- Bookings -------------------------------------------------------------------------

    @strawberry.mutation(
        permission_classes=[requires("resources.add_allocation")],
        description="Book several resources for a project, all or nothing.",
    )
    def book(
        self,
        info: strawberry.Info,
        project: int,
        items: list[BookingItem],
        note: str = "",
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> BookResult:
        arguments = {
            "project": project,
            "items": [{"resource": i.resource, "from": _plain(i.from_), "to": _plain(i.to)}
                      for i in items],
            "note": note,
        }  # fmt: skip

        def work() -> dict:
            data = validated(AllocateSerializer, arguments)
            booked = resources.allocate(
                project_id=data["project"],
                items=[
                    resources.AllocationItem(item["resource"], item["from"], item["to"])
                    for item in data["items"]
                ],
                note=data["note"],
                actor=user_of(info),
            )
            return {"allocations": [allocation.pk for allocation in booked]}

        def present(named: dict, replayed: bool) -> Booked:
            found = resource_selectors.allocation_list().in_bulk(named["allocations"])
            return Booked(allocations=[found[pk] for pk in named["allocations"]], replayed=replayed)

        return _attempt(info, "book", arguments, idempotency_key, work, present)

    @strawberry.mutation(
        permission_classes=[requires("resources.change_allocation")],
        description="Cancel a booking and free its slot; cancelling twice changes nothing.",
    )
    def cancel_booking(
        self, info: strawberry.Info, id: int, reason: str = ""
    ) -> CancelBookingResult:
        def work() -> dict:
            data = validated(CancelSerializer, {"reason": reason})
            resources.allocation_cancel(
                allocation_id=id, actor=user_of(info), reason=data["reason"]
            )
            return {"allocation": id}

        def present(named: dict, replayed: bool) -> BookingCancelled:
            return BookingCancelled(allocation=resource_selectors.allocation_list().get(pk=id))

        return _attempt(info, "cancelBooking", {}, None, work, present)

    @strawberry.mutation(
        permission_classes=[requires("resources.view_resource")],
        description="Assign resources to demands at the least cost (or greedily); with "
        "commit, book the assignment for the project in one transaction (Operator).",
    )
    def match(
        self,
        info: strawberry.Info,
        demands: list[Demand],
        resources_: Annotated[list[int] | None, strawberry.argument(name="resources")] = None,
        strategy: MatchStrategyEnum = MatchStrategy.HUNGARIAN,
        commit: bool = False,
        project: int | None = None,
        note: str = "",
    ) -> MatchResult:
        user = user_of(info)
        if commit and not user.has_perm("resources.add_allocation"):
            raise GraphQLError("Booking needs the Operator role.", extensions={"code": FORBIDDEN})
        arguments = {
            "demands": [
                {"key": d.key, "kind": _plain(d.kind), "skills": d.skills,
                 "from": _plain(d.from_), "to": _plain(d.to)}
                for d in demands
            ],
            "strategy": _plain(strategy),
            "commit": commit,
            "note": note,
        }  # fmt: skip
        if resources_ is not None:
            arguments["resources"] = resources_
        if project is not None:
            arguments["project"] = project

        def work() -> dict:
            data = validated(MatchSerializer, arguments)
            if data["commit"] and "project" not in data:
                raise NotFoundError("Say which project to book for.")
            plan = resources.match(
                demands=data["demands"],
                resource_ids=data.get("resources"),
                strategy=data["strategy"],
                project_id=data["project"] if data["commit"] else None,
                note=data["note"],
                actor=user,
            )
            return match_answer(plan, strategy=data["strategy"], committed=data["commit"])

        def present(answer: dict, replayed: bool) -> MatchPlan:
            return MatchPlan(
                strategy=answer["strategy"],
                total_cost=answer["total_cost"],
                assignments=[MatchAssignment(**one) for one in answer["assignments"]],
                unassigned=[MatchUnassigned(**one) for one in answer["unassigned"]],
                committed=answer["committed"],
            )

        return _attempt(info, "match", arguments, None, work, present)

    # --- Stock ----------------------------------------------------------------------------

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Goods arrive: on hand goes up.",
    )
    def receive_stock(
        self,
        info: strawberry.Info,
        item: int,
        location: int,
        quantity: Decimal,
        reference: str = "",
        reason: str = "",
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> StockMoveResult:
        fields = {"item": item, "location": location, "quantity": _plain(quantity),
                  "reference": reference, "reason": reason}  # fmt: skip
        return _attempt(
            info, "receiveStock", fields, idempotency_key,
            lambda: _move_with(inventory.stock_receive, MovementInputSerializer, fields, info),
            _movement,
        )  # fmt: skip

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Goods leave: at most what is available (on hand and not reserved).",
    )
    def issue_stock(
        self,
        info: strawberry.Info,
        item: int,
        location: int,
        quantity: Decimal,
        reference: str = "",
        reason: str = "",
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> StockMoveResult:
        fields = {"item": item, "location": location, "quantity": _plain(quantity),
                  "reference": reference, "reason": reason}  # fmt: skip
        return _attempt(
            info, "issueStock", fields, idempotency_key,
            lambda: _move_with(inventory.stock_issue, MovementInputSerializer, fields, info),
            _movement,
        )  # fmt: skip

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Correct on hand by a signed quantity, with a reason.",
    )
    def adjust_stock(
        self,
        info: strawberry.Info,
        item: int,
        location: int,
        quantity: Decimal,
        reason: str,
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> StockMoveResult:
        fields = {"item": item, "location": location, "quantity": _plain(quantity),
                  "reason": reason}  # fmt: skip
        return _attempt(
            info, "adjustStock", fields, idempotency_key,
            lambda: _move_with(inventory.stock_adjust, AdjustInputSerializer, fields, info),
            _movement,
        )  # fmt: skip

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Move stock between locations: both sides, or neither.",
    )
    def transfer_stock(
        self,
        info: strawberry.Info,
        item: int,
        # Not `source`: the name strawberry's resolvers pass the parent object as.
        source_location: Annotated[int, strawberry.argument(name="source")],
        destination: int,
        quantity: Decimal,
        reference: str = "",
        reason: str = "",
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> StockTransferResult:
        fields = {
            "item": item, "source": source_location, "destination": destination,
            "quantity": _plain(quantity), "reference": reference, "reason": reason,
        }  # fmt: skip

        def work() -> dict:
            data = validated(TransferInputSerializer, fields)
            out, into = inventory.stock_transfer(
                item_id=data["item"], source_id=data["source"],
                destination_id=data["destination"], quantity=data["quantity"],
                reference=data["reference"], reason=data["reason"], actor=user_of(info),
            )  # fmt: skip
            return {"out": out.pk, "in": into.pk}

        def present(named: dict, replayed: bool) -> StockTransferred:
            found = StockMovement.objects.select_related("actor").in_bulk(
                [named["out"], named["in"]]
            )
            return StockTransferred(
                out=found[named["out"]], in_=found[named["in"]], replayed=replayed
            )

        return _attempt(info, "transferStock", fields, idempotency_key, work, present)

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Promise stock for several lines, all or nothing; InsufficientStock "
        "lists every short line. Reserved stock stays on hand but is no longer available.",
    )
    def reserve_stock(
        self,
        info: strawberry.Info,
        lines: list[StockLineInput],
        reference: str,
        expires_at: datetime | None = None,
    ) -> StockReserveResult:
        fields = {
            "lines": [{"item": line.item, "location": line.location,
                       "quantity": _plain(line.quantity)} for line in lines],
            "reference": reference,
            "expires_at": _plain(expires_at),
        }  # fmt: skip

        def work() -> dict:
            data = validated(ReserveInputSerializer, fields)
            reserved = inventory.stock_reserve(
                lines=[
                    inventory.StockLine(line["item"], line["location"], line["quantity"])
                    for line in data["lines"]
                ],
                reference=data["reference"],
                expires_at=data.get("expires_at"),
                actor=user_of(info),
            )
            return {"reservations": [
                {"id": r.pk, "item": r.item_id, "location": r.location_id,
                 "quantity": str(r.quantity), "reference": r.reference, "status": r.status,
                 "expires_at": _plain(r.expires_at)}
                for r in reserved
            ]}  # fmt: skip

        def present(named: dict, replayed: bool) -> StockReserved:
            return StockReserved(reservations=[
                ReservationType(
                    id=r["id"], item=r["item"], location=r["location"],
                    quantity=Decimal(r["quantity"]), reference=r["reference"],
                    status=r["status"],
                    expires_at=datetime.fromisoformat(r["expires_at"]) if r["expires_at"] else None,
                )
                for r in named["reservations"]
            ])  # fmt: skip

        return _attempt(info, "reserveStock", fields, None, work, present)

    @strawberry.mutation(
        permission_classes=[requires("inventory.add_stockmovement")],
        description="Release every active reservation made for a reference.",
    )
    def release_stock(
        self, info: strawberry.Info, reference: str, reason: str = ""
    ) -> StockReleaseResult:
        def work() -> dict:
            data = validated(ReleaseInputSerializer, {"reference": reference, "reason": reason})
            released = inventory.stock_release(
                reference=data["reference"],
                reason=data["reason"] or "released",
                actor=user_of(info),
            )
            return {"released": released}

        return _attempt(
            info, "releaseStock", {}, None, work,
            lambda named, replayed: StockReleased(released=named["released"]),
        )  # fmt: skip

    # --- Orders ---------------------------------------------------------------------------

    @strawberry.mutation(
        permission_classes=[requires("orders.add_order")],
        description="Place an order; the idempotency key is required, as on REST, so a "
        "retried request never orders twice.",
    )
    def place_order(
        self,
        info: strawberry.Info,
        customer_reference: str,
        lines: list[StockLineInput],
        idempotency_key: Annotated[str, IDEMPOTENCY_KEY],
    ) -> PlaceOrderResult:
        fields = {
            "customer_reference": customer_reference,
            "lines": [{"item": line.item, "location": line.location,
                       "quantity": _plain(line.quantity)} for line in lines],
        }  # fmt: skip
        user = user_of(info)

        def work() -> dict:
            data = validated(OrderInputSerializer, fields)
            order = orders.order_place(
                customer_reference=data["customer_reference"],
                lines=[
                    orders.LineRequest(line["item"], line["location"], line["quantity"])
                    for line in data["lines"]
                ],
                actor=user,
            )
            return {"order": order.pk}

        def present(named: dict, replayed: bool) -> OrderPlaced:
            order = order_selectors.order_detail(user).get(pk=named["order"])
            return OrderPlaced(order=order, replayed=replayed)

        return _attempt(info, "placeOrder", fields, idempotency_key, work, present)

    @strawberry.mutation(
        permission_classes=[requires("orders.change_order")],
        description="Cancel before fulfilment: what was reserved is released, what was "
        "authorized refunded.",
    )
    def cancel_order(self, info: strawberry.Info, id: int, reason: str = "") -> CancelOrderResult:
        user = user_of(info)

        def work() -> dict:
            data = validated(CancelInputSerializer, {"reason": reason})
            if not order_selectors.order_list(user).filter(pk=id).exists():
                raise NotFoundError("There is no such order.")
            orders.order_cancel(order_id=id, reason=data["reason"], actor=user)
            return {"order": id}

        def present(named: dict, replayed: bool) -> OrderCancelled:
            return OrderCancelled(order=order_selectors.order_detail(user).get(pk=id))

        return _attempt(info, "cancelOrder", {}, None, work, present)
