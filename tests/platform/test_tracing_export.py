"""Traces leave the portal's processes over OTLP/HTTP, as configured by the standard
variables: a receiver started by the test gets one booking's trace from gunicorn (the
request) and from the worker (the delivery and the live publish), under each process's
service name."""

import gzip
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.factories import UserFactory, issue_token
from tests.processes import Portal, wait_until
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: keeps (service, span) for each span it is sent."""

    spans: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    type(self).spans.append((attributes["service.name"], span))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    Collector.spans = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Collector
    server.shutdown()


def test_one_booking_is_one_trace_across_web_and_worker(collector):
    endpoint, received = collector
    portal = Portal(OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_BSP_SCHEDULE_DELAY="100")
    try:
        token = issue_token(UserFactory(roles=["Operator"]))
        start = datetime(2027, 4, 5, 10, tzinfo=UTC)
        response = requests.post(
            f"{portal.url}/api/v1/allocate/",
            json={
                "project": ProjectFactory().pk,
                "items": [
                    {
                        "resource": ResourceFactory().pk,
                        "from": start.isoformat(),
                        "to": (start + timedelta(hours=1)).isoformat(),
                    }
                ],
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text

        def by_trace():
            traces = defaultdict(set)
            for service, span in received.spans:
                traces[span.trace_id.hex()].add((service, span.name))
            return traces

        def complete():
            return any(
                {
                    ("fusionops-web", "POST api/v1/allocate/"),
                    ("fusionops-web", "INSERT audit_event"),
                    ("fusionops-worker", "process projection.allocation_history"),
                    ("fusionops-worker", "publish fusionops.stream"),
                }
                <= names
                for names in by_trace().values()
            )

        assert wait_until(complete, 20), dict(by_trace())
    finally:
        portal.stop()
    # The probes' requests are not traced.
    assert not any("health" in span.name for _, span in received.spans)
