"""Event types that tests of the event log emit."""

from pydantic import ConfigDict

from apps.eventlog.contracts import PublicPayload
from apps.eventlog.registry import registry


class AnyPayload(PublicPayload):
    """Tests of the log emit whatever payload they need."""

    model_config = ConfigDict(extra="allow")


TYPES = (
    "testing.thing.happened", "testing.thing.forged", "testing.tamper.target",
    "testing.load.generated", "testing.metrics.counted", "testing.admin.viewed",
    "testing.order.placed", "testing.order.paid", "testing.stock.moved",
    "failing.thing.happened", "flaky.thing.happened", "poison.thing.happened",
    "chain.started", "chain.continued",
)  # fmt: skip
DECLARED = {
    name: registry.declare(
        name, aggregate_type=".".join(name.split(".")[:2]), public=AnyPayload, example={}
    )
    for name in TYPES
}


def declared(name: str):
    """The declared event type `name` (a test's or the portal's own)."""
    event_type = registry.event_type(name)
    assert event_type is not None, f"{name} is not declared"
    return event_type
