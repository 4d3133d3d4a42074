from django.apps import AppConfig


class PeersConfig(AppConfig):
    """The models each audit mechanism writes, and the no-op task of the queue compared
    (installed by bench.peers.settings only)."""

    name = "bench.peers"
    label = "bench_peers"
