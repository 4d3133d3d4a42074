"""Orders as Prometheus sees them (the worker's metrics port: the saga runs there)."""

from prometheus_client import Counter

orders_finished = Counter(
    "fusionops_orders_finished",
    "Orders that reached an end, by outcome: fulfilled, rejected or cancelled.",
    ["outcome"],
)
