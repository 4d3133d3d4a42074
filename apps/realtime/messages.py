"""What websocket clients receive for an event of the log.

Which events go live, as which message type, on which topics and with what data is
declared with each event type (its `live` and its public contract, in the app's
events.py): nothing here names an event. A sealed event becomes one stream entry: its
position (commit order), the topics it concerns with the message for them (its data is
the public payload), and the message the `audit` topic gets. A client receives at most one
message per entry: the topic message if it follows one of the entry's topics, else the
audit message if it follows `audit`.

Message types follow one convention, camelCase `<entity><PastTense>` (allocationCreated,
stockLow). A connection opened with `?names=legacy` gets the names of before
(ResourceAllocated, allocationUpdate, lowStock, StockReplenished) until the next release.
Every message carries `position`, and `seq` with the same value for clients of before.
"""

import structlog

from apps.eventlog.contracts import ContractViolation
from apps.eventlog.registry import registry
from apps.realtime import topics

logger = structlog.get_logger("fusionops.realtime")

AUDIT_EVENT = "auditEvent"


def positioned(message: dict, position: int | None) -> dict:
    """`message` with its stream position, under both the current and the old name."""
    return {**message, "position": position, "seq": position}


def stream_entry(event) -> dict:
    """The stream entry of a sealed event (an `eventlog.selectors.SealedEvent`)."""
    envelope = positioned(
        {"event_id": str(event.id), "occurred_at": event.occurred_at.isoformat()},
        event.position,
    )
    event_type = registry.event_type(event.type)
    live = event_type.live if event_type is not None else None
    message, entry_topics = None, []
    if live is not None:
        try:
            data = event_type.public_payload(event.payload)
        except ContractViolation:
            # Recorded before its contract held (or by hand): auditors still see it.
            logger.warning("realtime.payload_off_contract", event_id=str(event.id))
        else:
            message = {
                "type": live.message, **envelope, "version": event_type.version, "data": data
            }  # fmt: skip
            entry_topics = live.topics_for(data)
    own_topic = live.own_topic if live is not None and message is not None else None
    return {
        "position": event.position,
        # For the ws process's commit-to-socket latency; never sent to clients.
        "recorded_at": event.recorded_at.timestamp() if event.recorded_at else None,
        "topics": entry_topics,
        # Whose the event is, for the topic each caller follows for its own (never sent).
        "own_topic": own_topic,
        "owner": event.payload.get(live.owner_field) if own_topic else None,
        "message": message,
        "legacy_type": live.alias if live is not None else None,
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


def message_for(
    entry: dict, subscribed: set[str], *, user_id=None, legacy_names: bool = False
) -> dict | None:
    """The message a client of `user_id` following `subscribed` gets for `entry`, if any."""
    own = (
        entry.get("own_topic") in subscribed
        and entry.get("owner") is not None
        and entry["owner"] == user_id
    )
    if entry["message"] is not None and (own or not subscribed.isdisjoint(entry["topics"])):
        if legacy_names and entry["legacy_type"]:
            return {**entry["message"], "type": entry["legacy_type"]}
        return entry["message"]
    if topics.AUDIT in subscribed:
        return entry["audit"]
    return None


def event_types_reaching(subscribed: set[str]) -> list[str] | None:
    """The event types that can reach a client following `subscribed`; None when every
    event can (the audit topic)."""
    if topics.AUDIT in subscribed:
        return None
    keys = {topics.topic_key(topic) for topic in subscribed}
    return [
        event_type.name
        for event_type in registry.event_types()
        if event_type.live is not None
        and (
            any(topics.template_key(template) in keys for template in event_type.live.topics)
            or event_type.live.own_topic in subscribed
        )
    ]
