"""Every process is scrapeable on its own port, and none touches another's metric files."""

import re

import pytest
import requests

from tests.processes import Portal, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def counted_requests(portal: Portal) -> float:
    found = re.findall(
        r'^fusionops_django_http_requests_total_by_method_total\{method="GET"\} (\S+)$',
        portal.metrics("web"),
        re.MULTILINE,
    )
    return float(found[0]) if found else 0.0


def test_web_ws_and_worker_each_serve_their_own_metrics_and_none_on_the_public_port(tmp_path):
    portal = Portal(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    try:
        for _ in range(5):
            requests.get(f"{portal.url}/health/live", timeout=5)
        # gunicorn's master adds up its workers' files.
        assert counted_requests(portal) >= 5
        assert re.search(r"^fusionops_realtime_connections \d", portal.metrics("ws"), re.M)
        worker = portal.metrics("worker")
        assert wait_until(lambda: "fusionops_outbox_lag_seconds " in portal.metrics("worker"), 10)
        assert "fusionops_relay_batch_duration_seconds_bucket" in worker
        assert requests.get(f"{portal.url}/metrics", timeout=5).status_code == 404

        # A second portal sharing the metrics directory (its own subdirectory): the first
        # one's figures survive its start.
        before = counted_requests(portal)
        second = Portal(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
        try:
            requests.get(f"{second.url}/health/live", timeout=5)
            assert counted_requests(portal) >= before
            assert counted_requests(second) >= 1
        finally:
            second.stop()
    finally:
        portal.stop()
