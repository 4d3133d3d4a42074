"""Reads of the orders app: lists, and where an order stands (its workflow)."""

from django.db.models import Prefetch, QuerySet

from apps.eventlog.models import Delivery, Event
from apps.orders.models import Order, OrderLine


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("payment")


def order_detail() -> QuerySet[Order]:
    return order_list().prefetch_related(
        Prefetch("lines", OrderLine.objects.select_related("item", "location"))
    )


def delivery_state(delivery: Delivery) -> str:
    if delivery.status == "pending":
        return "retrying" if delivery.attempts else "pending"
    return delivery.status  # done, dead


def order_workflow(order: Order) -> list[dict]:
    """The order's events in the order the log recorded them (all share its correlation
    id), each with every subscriber's delivery: pending, done, retrying (with the attempt
    count and last error) or dead. Two queries, however long the saga."""
    events = list(
        Event.objects.filter(correlation_id=order.correlation_id)
        .order_by("seq")
        .values(
            "id", "seq", "type", "occurred_at", "recorded_at", "actor", "causation_id", "payload"
        )
    )
    deliveries: dict = {}
    for delivery in Delivery.objects.filter(event_id__in=[e["id"] for e in events]).order_by(
        "subscriber"
    ):
        deliveries.setdefault(delivery.event_id, []).append(
            {
                "subscriber": delivery.subscriber,
                "state": delivery_state(delivery),
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
                "next_attempt_at": delivery.next_attempt_at
                if delivery.status == "pending"
                else None,
            }
        )
    return [{**event, "deliveries": deliveries.get(event["id"], [])} for event in events]
