"""Stock as Prometheus sees it (web's and the worker's metrics ports)."""

from prometheus_client import Counter

stock_moves = Counter("fusionops_stock_moves", "Stock movements committed, by kind.", ["kind"])
low_stock_crossings = Counter(
    "fusionops_low_stock_crossings",
    "Available stock of a level fell below its reorder point (once per crossing).",
)
