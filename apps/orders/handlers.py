"""The order saga's steps: inventory reserving the lines, orders following, payments
authorizing. Choreography: each step reacts to the previous step's event; none knows the
whole. A step locks its order and stock levels, which other steps lock too: steps of many
orders share a transaction, and `lock_saga_steps` takes all their locks first, in one
order (orders, then levels), so that two workers' transactions queue instead of
deadlocking."""

from decimal import Decimal

from apps.eventlog.registry import registry
from apps.inventory.events import RESERVATION_FAILED, STOCK_RESERVED
from apps.inventory.services import StockLine
from apps.orders import services
from apps.orders.choices import OrderStatus
from apps.orders.events import (
    ORDER_PLACED,
    ORDER_STATUS_EVENTS,
    PAYMENT_AUTHORIZED,
    PAYMENT_DECLINED,
)

ORDER_REFERENCE_PREFIX = "order:"


def _order_of(payload: dict) -> int | None:
    if "order_id" in payload:
        return payload["order_id"]
    reference = payload.get("reference", "")
    if reference.startswith(ORDER_REFERENCE_PREFIX):
        return int(reference.removeprefix(ORDER_REFERENCE_PREFIX))
    return None  # stock reserved for something else than an order


def _lines(event) -> list[StockLine]:
    return [
        StockLine(line["item_id"], line["location_id"], Decimal(line["quantity"]))
        for line in event.payload["lines"]
    ]


def lock_saga_steps(events) -> None:
    """The prelock of every saga step (see the module)."""
    orders = [order for event in events if (order := _order_of(event.payload)) is not None]
    services.saga_locks_take(
        order_ids=orders,
        paid_order_ids=[
            event.payload["order_id"]
            for event in events
            if event.type in (PAYMENT_AUTHORIZED.name, PAYMENT_DECLINED.name)
        ],
        lines=[
            line for event in events if event.type == ORDER_PLACED.name for line in _lines(event)
        ],
    )


@registry.subscriber(
    "inventory.reserve_for_order", event_types=[ORDER_PLACED], prelock=lock_saga_steps
)
def reserve_for_order(event) -> None:
    """Inventory's step of the saga: reserve the placed order's lines."""
    services.order_reserve_stock(order_id=event.payload["order_id"], lines=_lines(event))


@registry.subscriber(
    "orders.track_reservation",
    event_types=[STOCK_RESERVED, RESERVATION_FAILED],
    prelock=lock_saga_steps,
)
def track_reservation(event) -> None:
    order_id = _order_of(event.payload)
    if order_id is None:
        return
    if event.type == RESERVATION_FAILED.name:
        services.reservation_failed(order_id=order_id, reason=event.payload.get("reason", ""))
    else:
        services.reservation_confirmed(order_id=order_id)


@registry.subscriber(
    "payments.authorize",
    event_types=[ORDER_STATUS_EVENTS[OrderStatus.RESERVED]],
    prelock=lock_saga_steps,
)
def authorize_payment(event) -> None:
    services.payment_authorize(order_id=event.payload["order_id"])


@registry.subscriber(
    "orders.settle_payment",
    event_types=[PAYMENT_AUTHORIZED, PAYMENT_DECLINED],
    prelock=lock_saga_steps,
)
def settle_payment(event) -> None:
    if event.type == PAYMENT_AUTHORIZED.name:
        services.payment_authorized(order_id=event.payload["order_id"])
    else:
        services.payment_declined(
            order_id=event.payload["order_id"], reason=event.payload.get("reason", "")
        )
