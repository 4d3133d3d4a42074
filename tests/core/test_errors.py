"""Every API error is application/problem+json; a 500 logs its traceback and reveals nothing."""

import json

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_404_problem(client):
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404, "not-found")
    assert "/api/v1/no-such-thing" in body["detail"]


def test_unknown_page_outside_the_api_stays_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.core.urls_with_failing_view")
@pytest.mark.parametrize("path", ["/api/v1/test/fail", "/api/v1/test/fail-plain"])
def test_unhandled_error_is_a_500_problem_revealing_nothing(client, log_lines, path):
    client.raise_request_exception = False
    response = client.get(path, HTTP_X_REQUEST_ID="trace-me-123")
    body = assert_problem(response, 500, "server-error")
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["request_id"] == response["X-Request-ID"]
    assert body["client_request_id"] == "trace-me-123"

    errors = [line for line in log_lines if line.get("level") == "error"]
    assert errors, log_lines
    assert errors[0]["request_id"] == response["X-Request-ID"]
    assert errors[0]["client_request_id"] == "trace-me-123"
    assert "hunter2" in json.dumps(errors[0]["exception"])


def test_throttled_requests_get_429_with_retry_after(api_client, monkeypatch, one_window):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
    for _ in range(2):
        assert api_client.get("/api/schema/").status_code == 200
    response = api_client.get("/api/schema/")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_authenticated_users_have_their_own_throttle(client_as, monkeypatch, one_window):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    viewer = client_as("Viewer")
    for _ in range(3):
        assert viewer.get("/api/v1/settings/").status_code == 200
    assert_problem(viewer.get("/api/v1/settings/"), 429, "throttled")
    # Another user's budget is untouched.
    assert client_as("Viewer").get("/api/v1/settings/").status_code == 200


def test_a_throttled_client_is_served_again_in_the_next_window(client_as, monkeypatch):
    from apps.platform.api.throttling import UserRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    clock = [6000.0]
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: clock[0])
    viewer = client_as("Viewer")
    assert viewer.get("/api/v1/settings/").status_code == 200
    assert viewer.get("/api/v1/settings/").status_code == 200
    refused = viewer.get("/api/v1/settings/")
    assert_problem(refused, 429, "throttled")
    assert refused["Retry-After"] == "60"
    clock[0] += 60
    assert viewer.get("/api/v1/settings/").status_code == 200


@pytest.mark.urls("tests.core.urls_with_failing_view")
def test_logged_tracebacks_never_include_local_variables(client, log_lines):
    client.raise_request_exception = False
    client.get("/api/v1/test/fail-with-secret-local")
    errors = [line for line in log_lines if line.get("level") == "error"]
    assert errors
    assert "Sup3r-Secret-Pw" not in json.dumps(log_lines)


def test_a_spoofed_forwarded_for_does_not_reset_the_anonymous_limit(
    api_client, monkeypatch, one_window
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
    for n in range(2):
        assert api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    refused = api_client.get("/api/schema/", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert_problem(refused, 429, "throttled")


def test_repeated_failed_authentication_is_throttled(api_client, monkeypatch, one_window):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth_failure", "2/min")
    for _ in range(2):
        response = api_client.get("/api/v1/settings/", HTTP_AUTHORIZATION="Bearer fo_bad:sig")
        assert_problem(response, 401)
    response = api_client.get("/api/v1/settings/", HTTP_AUTHORIZATION="Bearer fo_bad:sig")
    assert_problem(response, 429, "throttled")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_a_problem_with_debug_on_or_off(client, settings, debug):
    settings.DEBUG = debug
    client.cookies["sessionid"] = "a-browser-session"  # an unsafe method with a cookie
    client.handler.enforce_csrf_checks = True
    body = assert_problem(client.delete("/api/v1/items/null,null/"), 404, "not-found")
    assert "/api/v1/items/null,null/" in body["detail"]
