"""What the realtime app runs on the event log."""

from apps.eventlog.registry import registry
from apps.realtime.services import stream_publish_sealed

# Live updates follow the sealed log (commit order), not the outbox: see
# docs/architecture.md, "The live stream".
registry.sealed_reader(stream_publish_sealed)
