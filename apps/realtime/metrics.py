"""Live-update metrics (exposed at /metrics with the others)."""

from prometheus_client import Counter, Gauge

connections = Gauge(
    "realtime_connections", "Open websocket connections.", multiprocess_mode="livesum"
)
messages_sent = Counter("realtime_messages_sent", "Messages sent to websocket clients.", ["type"])
replayed = Counter("realtime_messages_replayed", "Messages replayed from the log on resume.")
resyncs = Counter("realtime_resyncs", "Clients told to resync: too much missed to replay.")
gaps = Counter("realtime_stream_gaps", "Stream batches lost on the way, filled from the log.")
dropped_clients = Counter(
    "realtime_clients_dropped", "Connections closed by the server.", ["reason"]
)
positions_published = Counter(
    "realtime_positions_published", "Sealed log positions published to the stream."
)
