"""The event the portal's audit writes for each counter write (bench.peers.settings only)."""

from apps.eventlog.contracts import PublicPayload
from apps.eventlog.registry import registry


class CounterWritten(PublicPayload):
    id: int
    sku: str
    quantity: int
    note: str


COUNTER_WRITTEN = registry.declare(
    "bench.counter.written",
    aggregate_type="bench_counter",
    description="A counter written, with the row as it now stands.",
    public=CounterWritten,
    example={"id": 1, "sku": "S-1", "quantity": 3, "note": ""},
)
