"""Reads of the orders app: lists, and where an order stands (its workflow)."""

from django.db.models import Prefetch, QuerySet

from apps.eventlog.models import Delivery, Event
from apps.eventlog.registry import registry
from apps.orders.models import Order, OrderLine


def order_list(user) -> QuerySet[Order]:
    """The orders `user` may see: every one with `orders.view_every_order`, otherwise (an
    integration) the ones it placed."""
    orders = Order.objects.select_related("payment")
    if user.has_perm("orders.view_every_order"):
        return orders
    # Anonymous callers are refused before; the schema generator asks as one.
    return orders.filter(created_by=user) if user.is_authenticated else orders.none()


def order_detail(user) -> QuerySet[Order]:
    return order_list(user).prefetch_related(
        Prefetch("lines", OrderLine.objects.select_related("item", "location"))
    )


def delivery_state(delivery: Delivery) -> str:
    if delivery.status == "pending":
        return "retrying" if delivery.attempts else "pending"
    return delivery.status  # done, dead


def _public_view(event: dict) -> dict:
    """An event as a caller without the log's details sees it: who acted only as a kind
    (a user, the system), the public payload."""
    event_type = registry.event_type(event["type"])
    public = event_type.public_payload(event["payload"]) if event_type else None
    return {**event, "actor": {"type": event["actor"].get("type")}, "payload": public or {}}


def order_workflow(order: Order, *, details: bool) -> list[dict]:
    """The order's events in the order the log recorded them (all share its correlation
    id), each with every subscriber's delivery: pending, done, retrying (with the attempt
    count and last error) or dead. Two queries, however long the saga.

    Without `details` (only Admins have them) actors are a kind only, payloads the public
    contract, and subscribers' errors are left out."""
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
                "last_error": delivery.last_error if details else "",
                "next_attempt_at": delivery.next_attempt_at
                if delivery.status == "pending"
                else None,
            }
        )
    if not details:
        events = [_public_view(event) for event in events]
    return [{**event, "deliveries": deliveries.get(event["id"], [])} for event in events]
