"""What websocket clients receive for an event of the log.

A sealed event becomes one stream entry: its position (`seq`, the commit order), the
topics it concerns with the message for them, and the message the `audit` topic gets.
A client receives at most one message per entry: the topic message if it follows one of
the entry's topics, else the audit message if it follows `audit`.
"""

from apps.realtime import topics

ALLOCATION_CREATED = "ResourceAllocated"
ALLOCATION_UPDATE = "allocationUpdate"
LOW_STOCK = "lowStock"
STOCK_REPLENISHED = "StockReplenished"
ORDER_STATUS_CHANGED = "orderStatusChanged"
AUDIT_EVENT = "auditEvent"

# Event type → message type. Order events are matched by prefix.
MESSAGE_TYPES = {
    "resources.allocation.created": ALLOCATION_CREATED,
    "resources.allocation.cancelled": ALLOCATION_UPDATE,
    "inventory.stock.low": LOW_STOCK,
    "inventory.stock.replenished": STOCK_REPLENISHED,
}
ORDER_EVENT_PREFIX = "orders.order."


def message_type_of(event_type: str) -> str | None:
    if event_type.startswith(ORDER_EVENT_PREFIX):
        return ORDER_STATUS_CHANGED
    return MESSAGE_TYPES.get(event_type)


def _topics_of(event_type: str, payload: dict) -> list[str]:
    if event_type.startswith("resources.allocation."):
        project_id = payload.get("project_id")
        if isinstance(project_id, int):
            return [topics.ALLOCATIONS, topics.project_topic(project_id)]
        return [topics.ALLOCATIONS]
    if event_type.startswith("inventory."):
        return [topics.INVENTORY]
    if event_type.startswith(ORDER_EVENT_PREFIX):
        return [topics.ORDERS]
    return []


def stream_entry(event) -> dict:
    """The stream entry of a sealed event (a `selectors.SealedEvent`)."""
    envelope = {
        "seq": event.position,
        "event_id": str(event.id),
        "occurred_at": event.occurred_at.isoformat(),
    }
    message_type = message_type_of(event.type)
    return {
        "seq": event.position,
        "topics": _topics_of(event.type, event.payload) if message_type else [],
        "message": {"type": message_type, **envelope, "data": event.payload}
        if message_type
        else None,
        "audit": {
            "type": AUDIT_EVENT,
            **envelope,
            "data": {
                "type": event.type,
                "aggregate_type": event.aggregate_type,
                "aggregate_id": event.aggregate_id,
                "actor": event.actor,
                "correlation_id": event.correlation_id,
                "payload": event.payload,
            },
        },
    }


def message_for(entry: dict, subscribed: set[str]) -> dict | None:
    """The message a client following `subscribed` gets for `entry`, if any."""
    if entry["message"] is not None and not subscribed.isdisjoint(entry["topics"]):
        return entry["message"]
    if topics.AUDIT in subscribed:
        return entry["audit"]
    return None


def event_type_filter(subscribed: set[str]) -> tuple[list[str], list[str]] | None:
    """(exact types, LIKE patterns) of the events that can reach `subscribed`; None when
    every event can (the audit topic)."""
    if topics.AUDIT in subscribed:
        return None
    exact, patterns = [], []
    if any(
        topics.topic_key(topic) in (topics.ALLOCATIONS, topics.PROJECT_PREFIX)
        for topic in subscribed
    ):
        exact += ["resources.allocation.created", "resources.allocation.cancelled"]
    if topics.INVENTORY in subscribed:
        exact += ["inventory.stock.low", "inventory.stock.replenished"]
    if topics.ORDERS in subscribed:
        patterns.append(ORDER_EVENT_PREFIX + "%")
    return exact, patterns
