"""The event backbone's own Prometheus metrics (exposed at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

events_appended = Counter("events_appended", "Events committed to the audit log.", ["type"])
deliveries = Counter(
    "deliveries", "Delivery attempts by subscriber and outcome.", ["subscriber", "outcome"]
)
outbox_lag_seconds = Gauge(
    "outbox_lag_seconds",
    "Age of the oldest due delivery, as last seen by a relay worker.",
    multiprocess_mode="max",
)
seal_lag_seconds = Gauge(
    "seal_lag_seconds",
    "Age of the oldest committed event not sealed yet (0 when all are): how far the "
    "audit chain and live updates are behind.",
    multiprocess_mode="max",
)
dead_letters = Gauge(
    "dead_letters", "Deliveries that are dead letters now.", multiprocess_mode="max"
)
relay_batch_seconds = Histogram(
    "relay_batch_duration_seconds",
    "Time a relay worker takes to claim and settle one batch.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
