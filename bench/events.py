"""The event types the benchmarks emit (installed by bench.settings only)."""

from apps.eventlog.contracts import PublicPayload
from apps.eventlog.registry import registry


class BenchRun(PublicPayload):
    run: str = ""


THROUGHPUT_GENERATED = registry.declare(
    "bench.throughput.generated",
    aggregate_type="bench",
    description="One delivery for the relay throughput figure.",
    public=BenchRun,
    example={"run": "3f2a"},
)
LATENCY_PINGED = registry.declare(
    "bench.latency.pinged",
    aggregate_type="bench",
    description="One sample of the commit-to-subscriber latency figure.",
    public=BenchRun,
    example={},
)
AUDIT_RECORDED = registry.declare(
    "bench.audit.recorded",
    aggregate_type="bench",
    description="One event of the log the audit figures seal, back up and restore.",
    public=BenchRun,
    example={"run": "3f2a"},
)
WEBHOOK_GENERATED = registry.declare(
    "bench.webhook.generated",
    aggregate_type="bench",
    description="One delivery for the webhook throughput figure.",
    public=BenchRun,
    example={"run": "3f2a"},
)
BRIDGE_GENERATED = registry.declare(
    "bench.bridge.generated",
    aggregate_type="bench",
    description="One message for the broker bridge figures.",
    public=BenchRun,
    example={"run": "3f2a"},
)
