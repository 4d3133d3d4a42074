"""Orders as Prometheus sees them (the worker's metrics port: the saga runs there)."""

from prometheus_client import Counter

from apps.platform.metrics import start_at_zero

orders_finished = Counter(
    "fusionops_orders_finished",
    "Orders that reached an end, by outcome: fulfilled, rejected or cancelled.",
    ["outcome"],
)
start_at_zero(orders_finished, ("fulfilled", "rejected", "cancelled"))
