"""Orders as Prometheus sees them (the worker's metrics port: the saga runs there)."""

from prometheus_client import Counter

orders_finished = Counter(
    "fusionops_orders_finished",
    "Orders that reached an end, by outcome: fulfilled, rejected or cancelled.",
    ["outcome"],
)
# Every label value known in advance is exported from the start (at 0), so that rates and
# alerts see a series before the first occurrence.
for _value in ("fulfilled", "rejected", "cancelled"):
    orders_finished.labels(_value)
