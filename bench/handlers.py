import time

from django.core.cache import cache

from apps.eventlog.registry import registry


@registry.subscriber("bench.sink", event_types=["bench.throughput.*"])
def sink(event):
    """Does nothing: what is measured is the relay's own cost per delivery."""


@registry.subscriber("bench.stamp", event_types=["bench.latency.*"])
def stamp(event):
    cache.set(f"bench:handled:{event.id}", time.time(), 300)
