"""Live-update metrics (the ws process's METRICS_PORT; the publisher's: the worker's)."""

from prometheus_client import Counter, Gauge

connections = Gauge(
    "fusionops_realtime_connections", "Open websocket connections.", multiprocess_mode="livesum"
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
