"""The events of the orders app: an order's status changes and its payment, with their
public contracts."""

from decimal import Decimal

from pydantic import Field

from apps.eventlog.contracts import Live, PublicPayload
from apps.eventlog.registry import registry
from apps.orders.choices import OrderStatus
from apps.orders.models import Order, Payment

# --- Orders -----------------------------------------------------------------------------


class OrderStatusV1(PublicPayload):
    """An order reached a status (the event's type names it too)."""

    order_id: int
    number: str
    status: OrderStatus
    total: Decimal
    reason: str = Field(description="Why it was rejected or cancelled; empty otherwise.")


class OrderedLine(PublicPayload):
    item_id: int
    location_id: int
    quantity: Decimal


class OrderPlacedV1(OrderStatusV1):
    lines: list[OrderedLine]


def order_status_payload(order: Order, **extra) -> dict:
    return {
        "order_id": order.pk,
        "number": order.number,
        "status": order.status,
        "total": str(order.total),
        "reason": order.reason,
        # Internal (no contract names it): whose order it is, for the `orders:mine` topic.
        "placed_by_id": order.created_by_id,
        **extra,
    }


_ORDER = {"order_id": 9, "number": "SO-0000009", "total": "118.80", "reason": ""}
_ORDER_LIVE = Live(
    "orderStatusChanged", topics=("orders",), own_topic="orders:mine", owner_field="placed_by_id"
)
_DESCRIPTIONS = {
    OrderStatus.PLACED: "An order was taken; its saga starts.",
    OrderStatus.RESERVED: "The order's stock is reserved.",
    OrderStatus.PAID: "The order's payment is authorized.",
    OrderStatus.FULFILLED: "The order's goods left the warehouse.",
    OrderStatus.REJECTED: "The order could not be carried out (stock or payment).",
    OrderStatus.CANCELLED: "The order was cancelled before fulfilment.",
}

# Every status an order can reach is an event type: orders.order.<status>.
ORDER_STATUS_EVENTS = {
    status: registry.declare(
        f"orders.order.{status}",
        aggregate_type="orders.order",
        description=_DESCRIPTIONS[status],
        public=OrderPlacedV1 if status == OrderStatus.PLACED else OrderStatusV1,
        live=_ORDER_LIVE,
        example={
            **_ORDER,
            "status": str(status),
            **(
                {"lines": [{"item_id": 5, "location_id": 2, "quantity": "990"}]}
                if status == OrderStatus.PLACED
                else {}
            ),
        },
    )
    for status in OrderStatus
}
ORDER_PLACED = ORDER_STATUS_EVENTS[OrderStatus.PLACED]


# --- Payments ---------------------------------------------------------------------------


class PaymentDecidedV1(PublicPayload):
    order_id: int
    amount: Decimal
    provider_reference: str
    reason: str = Field(description="Why it was declined; empty otherwise.")


class PaymentRefundedV1(PublicPayload):
    order_id: int
    amount: Decimal


def payment_payload(payment: Payment, *, reason: str) -> dict:
    return {
        "order_id": payment.order_id,
        "amount": str(payment.amount),
        "provider_reference": payment.provider_reference,
        "reason": reason,
    }


_PAYMENT = {"order_id": 9, "amount": "118.80", "provider_reference": "sim-5f0c", "reason": ""}
PAYMENT_AUTHORIZED = registry.declare(
    "payments.payment.authorized",
    aggregate_type="payments.payment",
    description="The payment provider authorized an order's amount.",
    public=PaymentDecidedV1,
    example=_PAYMENT,
)
PAYMENT_DECLINED = registry.declare(
    "payments.payment.declined",
    aggregate_type="payments.payment",
    description="The payment provider declined an order's amount.",
    public=PaymentDecidedV1,
    example={**_PAYMENT, "reason": "Amount above the limit"},
)
PAYMENT_REFUNDED = registry.declare(
    "payments.payment.refunded",
    aggregate_type="payments.payment",
    description="An authorized payment was given back (the order was cancelled).",
    public=PaymentRefundedV1,
    example={"order_id": 9, "amount": "118.80"},
)
