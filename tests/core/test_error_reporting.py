"""Error reports to Sentry (on only with SENTRY_DSN), received by a real HTTP server the
test starts: they carry the request id, the correlation id and the caller, and no
personal data or secrets."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from apps.platform.error_reporting import init_error_reporting
from tests.factories import UserFactory, issue_token

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    envelopes: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry():
    Receiver.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
    assert init_error_reporting(dsn=dsn, environment="test", release="build-1")
    yield Receiver
    sentry_sdk.init(dsn=None)  # off again for the other tests
    server.shutdown()


def reported_events(receiver) -> list[dict]:
    sentry_sdk.flush(timeout=5)
    events = []
    for envelope in receiver.envelopes:
        lines = envelope.split(b"\n")
        for header, item in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(item))
    return events


def test_an_error_is_not_reported_without_a_dsn():
    assert init_error_reporting(dsn="", environment="test", release="") is False


@pytest.mark.urls("tests.core.urls_with_failing_view")
def test_a_500_is_reported_with_request_and_caller_and_nothing_personal(client, sentry):
    client.raise_request_exception = False
    user = UserFactory(roles=["Viewer"], email="anna@example.test")
    token = issue_token(user)
    response = client.get(
        "/api/v1/test/fail-with-secret-local?email=anna@example.test",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_COOKIE="sessionid=secret-session",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 500
    (event,) = reported_events(sentry)
    request_id = response["X-Request-ID"]
    assert event["tags"]["request_id"] == request_id
    assert event["tags"]["correlation_id"] == request_id
    assert event["user"] == {"id": str(user.pk), "username": user.username}
    assert event["release"] == "build-1" and event["environment"] == "test"
    text = json.dumps(event)
    for personal in (token, "secret-session", "anna@example.test", "203.0.113.9",
                     "Sup3r-Secret-Pw"):  # fmt: skip
        assert personal not in text, personal
    assert "authorization" not in {k.lower() for k in event["request"].get("headers", {})}
