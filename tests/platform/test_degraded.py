"""A dependency fails: without the database the answer is a 503 with Retry-After (never a
500); without Redis the API goes on, authenticating from the database and unthrottled."""

import psycopg
import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db import InternalError as DjangoInternalError
from django.test import override_settings
from prometheus_client import REGISTRY
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.platform.unavailable import database_unavailable
from tests.helpers import assert_problem

# Nothing listens there: every Redis call is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def degraded(dependency: str) -> float:
    value = REGISTRY.get_sample_value(
        "fusionops_degraded_requests_total", {"dependency": dependency}
    )
    return value or 0.0


@pytest.fixture
def lost_connection_is_closed():
    yield
    connection.close()  # the test's next query connects afresh


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.urls("tests.core.urls_with_failing_view")
def test_a_request_whose_database_connection_is_lost_gets_a_503_problem_to_retry(
    client, lost_connection_is_closed
):
    client.raise_request_exception = False
    before = degraded("database")

    response = client.post("/api/v1/test/database-lost")

    body = assert_problem(response, 503, "service-unavailable")
    assert response["Retry-After"] == "2"
    assert "nothing was changed" in body["detail"]
    assert degraded("database") == before + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.urls("tests.core.urls_with_failing_view")
def test_a_page_whose_database_connection_is_lost_is_a_plain_503(client, lost_connection_is_closed):
    client.raise_request_exception = False

    response = client.get("/test/database-lost")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response["Retry-After"] == "2"


@pytest.mark.django_db
def test_without_redis_tokens_are_checked_against_the_database_and_limits_fail_open(
    client_as, monkeypatch
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    viewer = client_as("Viewer")
    before = degraded("throttle")

    # The portal's own cache settings, with Redis gone.
    with override_settings(
        CACHES={"default": {**settings.CACHES["default"], "LOCATION": UNREACHABLE_REDIS}}
    ):
        answers = [viewer.get("/api/v1/settings/").status_code for _ in range(4)]
        refused = APIClient().get("/api/v1/settings/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert answers == [200] * 4, "past the rate, but nothing can count: let through"
    assert degraded("throttle") >= before + 4
    assert refused.status_code == 401, "a bad token is still refused"


def wrapped(driver_error: psycopg.Error) -> Exception:
    """As Django raises it: its own class, the driver's error as the cause."""
    error = DjangoInternalError(str(driver_error))
    error.__cause__ = driver_error
    return error


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (OperationalError("server closed the connection unexpectedly"), True),
        (InterfaceError("connection already closed"), True),
        # On a driver's cursor, unwrapped: the server shut down under the statement.
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        # psycopg out of step with PgBouncer after its server went away: no SQLSTATE.
        (wrapped(psycopg.InternalError("received 2 results from command 'BEGIN'")), True),
        # The server's own internal errors and the portal's bugs stay 500s.
        (wrapped(psycopg.errors.InternalError_("cache lookup failed")), False),
        (RuntimeError("a bug"), False),
    ],
    ids=["operational", "interface", "admin-shutdown", "out-of-step", "server-internal", "bug"],
)
def test_what_counts_as_the_database_being_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable
