"""The order saga's steps on the orders and payments side (inventory's own step, reserving
the lines, is in apps/inventory/handlers.py). Choreography: each step reacts to the
previous step's event; none knows the whole. Each runs in a transaction of its own
(`alone`): it locks an order and stock levels, which other steps lock too."""

from apps.events.registry import subscriber
from apps.orders import services

ORDER_REFERENCE_PREFIX = "order:"


def _order_of(payload: dict) -> int | None:
    if "order_id" in payload:
        return payload["order_id"]
    reference = payload.get("reference", "")
    if reference.startswith(ORDER_REFERENCE_PREFIX):
        return int(reference.removeprefix(ORDER_REFERENCE_PREFIX))
    return None  # stock reserved for something else than an order


@subscriber(
    "orders.track_reservation",
    event_types=["inventory.stock.reserved", "inventory.reservation.failed"],
    alone=True,
)
def track_reservation(event) -> None:
    order_id = _order_of(event.payload)
    if order_id is None:
        return
    if event.type == "inventory.reservation.failed":
        services.reservation_failed(order_id=order_id, reason=event.payload.get("reason", ""))
    else:
        services.reservation_confirmed(order_id=order_id)


@subscriber("payments.authorize", event_types=["orders.order.reserved"], alone=True)
def authorize_payment(event) -> None:
    services.payment_authorize(order_id=event.payload["order_id"])


@subscriber(
    "orders.settle_payment",
    event_types=["payments.payment.authorized", "payments.payment.declined"],
    alone=True,
)
def settle_payment(event) -> None:
    if event.type == "payments.payment.authorized":
        services.payment_authorized(order_id=event.payload["order_id"])
    else:
        services.payment_declined(
            order_id=event.payload["order_id"], reason=event.payload.get("reason", "")
        )
