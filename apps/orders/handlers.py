"""The order saga's steps: inventory reserving the lines, orders following, payments
authorizing. Choreography: each step reacts to the
previous step's event; none knows the whole. Each runs in a transaction of its own
(`alone`): it locks an order and stock levels, which other steps lock too."""

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


@registry.subscriber("inventory.reserve_for_order", event_types=[ORDER_PLACED], alone=True)
def reserve_for_order(event) -> None:
    """Inventory's step of the saga: reserve the placed order's lines."""
    services.order_reserve_stock(
        order_id=event.payload["order_id"],
        lines=[
            StockLine(line["item_id"], line["location_id"], Decimal(line["quantity"]))
            for line in event.payload["lines"]
        ],
    )


@registry.subscriber(
    "orders.track_reservation",
    event_types=[STOCK_RESERVED, RESERVATION_FAILED],
    alone=True,
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
    "payments.authorize", event_types=[ORDER_STATUS_EVENTS[OrderStatus.RESERVED]], alone=True
)
def authorize_payment(event) -> None:
    services.payment_authorize(order_id=event.payload["order_id"])


@registry.subscriber(
    "orders.settle_payment",
    event_types=[PAYMENT_AUTHORIZED, PAYMENT_DECLINED],
    alone=True,
)
def settle_payment(event) -> None:
    if event.type == PAYMENT_AUTHORIZED.name:
        services.payment_authorized(order_id=event.payload["order_id"])
    else:
        services.payment_declined(
            order_id=event.payload["order_id"], reason=event.payload.get("reason", "")
        )
