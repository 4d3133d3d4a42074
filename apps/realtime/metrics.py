"""Live-update metrics (the ws process's METRICS_PORT; the publisher's: the worker's)."""

from prometheus_client import Counter, Gauge, Histogram

from apps.platform.metrics import start_at_zero

connections = Gauge(
    "fusionops_realtime_connections", "Open websocket connections.", multiprocess_mode="livesum"
)
subscriptions = Gauge(
    "fusionops_realtime_subscriptions",
    "Topics followed by open connections, by topic (`project` for every project's).",
    ["topic"],
    multiprocess_mode="livesum",
)
messages_sent = Counter(
    "fusionops_realtime_messages_sent", "Messages sent to websocket clients.", ["type"]
)
replayed = Counter(
    "fusionops_realtime_messages_replayed", "Messages replayed from the log on resume."
)
resyncs = Counter(
    "fusionops_realtime_resyncs", "Clients told to resync: too much missed to replay."
)
gaps = Counter(
    "fusionops_realtime_stream_gaps", "Stream batches lost on the way, filled from the log."
)
dropped_clients = Counter(
    "fusionops_realtime_clients_dropped", "Connections closed by the server.", ["reason"]
)
positions_published = Counter(
    "fusionops_realtime_positions_published", "Sealed log positions published to the stream."
)
commit_to_socket_seconds = Histogram(
    "fusionops_realtime_commit_to_socket_seconds",
    "From an event's write in its transaction to the moment the ws process writes its live "
    "message to a client's socket.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
start_at_zero(dropped_clients, ("unauthenticated", "too_slow", "heartbeat_timeout"))
