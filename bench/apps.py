from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Subscribers the benchmarks measure (installed by bench.settings only)."""

    name = "bench"
    label = "bench"
