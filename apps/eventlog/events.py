"""The event log's own events."""

from apps.eventlog.registry import registry

DEAD_LETTER_REPLAYED = registry.declare(
    "events.dead_letter.replayed",
    aggregate_type="events.delivery",
    description="Someone gave a dead letter a fresh set of attempts.",
    # Operations of the portal itself: recorded for the audit, never sent out.
    public=None,
    example={
        "delivery": 17,
        "subscriber": "payments.authorize",
        "event_id": "0b6f6a52-54d3-4a8f-9d7e-3c2f8f3f1e10",
        "event_type": "orders.order.reserved",
        "attempts": 5,
        "last_error": "TimeoutError: the payment provider did not answer",
    },
)
