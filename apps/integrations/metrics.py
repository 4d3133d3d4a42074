"""The integrations' own Prometheus metrics (the worker's METRICS_PORT)."""

from prometheus_client import Counter

from apps.platform.metrics import start_at_zero

bridge_unroutable = Counter(
    "fusionops_bridge_unroutable",
    "Messages a broker took but had no queue for (RabbitMQ's mandatory returns).",
    ["bridge"],
)
start_at_zero(bridge_unroutable, ("rabbitmq",))
