"""The event backbone's own Prometheus metrics (each process's METRICS_PORT)."""

from prometheus_client import Counter, Gauge, Histogram

events_appended = Counter(
    "fusionops_events_appended",
    "Events committed to the audit log, by declared type (`external` for integrations' own).",
    ["type"],
)
deliveries = Counter(
    "fusionops_deliveries",
    "Delivery attempts by subscriber and outcome.",
    ["subscriber", "outcome"],
)
outbox_lag_seconds = Gauge(
    "fusionops_outbox_lag_seconds",
    "Age of the oldest due delivery, as last seen by a relay worker.",
    multiprocess_mode="max",
)
seal_lag_seconds = Gauge(
    "fusionops_seal_lag_seconds",
    "Age of the oldest committed event not sealed yet (0 when all are): how far the "
    "audit chain and live updates are behind.",
    multiprocess_mode="max",
)
dead_letters = Gauge(
    "fusionops_dead_letters", "Deliveries that are dead letters now.", multiprocess_mode="max"
)
audit_partitions_ahead = Gauge(
    "fusionops_audit_partitions_months_ahead",
    "Months, this one first, that have a partition of the log ready (the worker's daily "
    "maintenance keeps AUDIT_PARTITION_MONTHS).",
    multiprocess_mode="max",
)
relay_batch_seconds = Histogram(
    "fusionops_relay_batch_duration_seconds",
    "Time a relay worker takes to claim and settle one batch.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
subscriber_seconds = Histogram(
    "fusionops_subscriber_duration_seconds",
    "Time one subscriber takes for one event, by subscriber (the order saga's steps are "
    "inventory.reserve_for_order, orders.track_reservation, payments.authorize and "
    "orders.settle_payment).",
    ["subscriber"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
