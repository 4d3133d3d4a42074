"""Each process serves its own Prometheus metrics on a port of its own (METRICS_PORT), never
on the public port: web (from gunicorn's master, adding up its workers), ws and worker."""

import os

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

# Every metric of the portal's own is named with this prefix (django-prometheus's too,
# through PROMETHEUS_METRIC_NAMESPACE).
PREFIX = "fusionops_"


def start_at_zero(metric, values) -> None:
    """Export every label value known in advance from the start, at 0: rates and alerts
    then see a series before the first occurrence (a labelled metric exports nothing
    until a child exists)."""
    for value in values:
        metric.labels(value)


def metrics_address() -> tuple[str, int] | None:
    """Where this process serves /metrics: METRICS_HOST (default HOST) and METRICS_PORT;
    None without a port."""
    port = os.environ.get("METRICS_PORT", "")
    if not port:
        return None
    return os.environ.get("METRICS_HOST") or os.environ.get("HOST", "127.0.0.1"), int(port)


def serve_metrics(*, multiprocess_dir: str | None = None):
    """Start the listener in a thread of this process (returns the server, or None when
    no port is set). With `multiprocess_dir`, it adds up the files the process's children
    leave there (gunicorn's workers)."""
    address = metrics_address()
    if address is None:
        return None
    host, port = address
    registry = REGISTRY
    if multiprocess_dir is not None:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=multiprocess_dir)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
