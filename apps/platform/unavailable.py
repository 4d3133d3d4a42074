"""A dependency the portal cannot work without is unreachable: the answer is a 503 problem
with Retry-After, never a 500, and nothing of the request was written (its transaction
rolled back with the connection). Only the database is such a dependency; Redis is not
(the cache falls back to the database, throttling fails open, live clients resume)."""

import psycopg
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from prometheus_client import Counter

from apps.platform.metrics import start_at_zero
from apps.platform.problems import problem_response

degraded_requests = Counter(
    "fusionops_degraded_requests",
    "Requests a dependency failed: answered 503 without the database (database), let "
    "through unthrottled without Redis (throttle).",
    ["dependency"],
)
start_at_zero(degraded_requests, ("database", "throttle"))

# Also what a query ended by the server (a restart, a cut connection) raises, in Django and,
# on a cursor of the driver's own (the event log's append), in psycopg: AdminShutdown.
DATABASE_UNAVAILABLE = (
    OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError,
)  # fmt: skip
RETRY_AFTER_SECONDS = 2


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) says the database could not be reached or the
    connection was lost: Django's operational and interface errors, and psycopg's internal
    error without an SQLSTATE (no server sent it: the connection fell out of step with a
    pooler whose server went away mid-command)."""
    while exc is not None:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        if isinstance(exc, psycopg.InternalError) and exc.sqlstate is None:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_problem():
    degraded_requests.labels("database").inc()
    return problem_response(
        status=503,
        detail=_(
            "The database cannot be reached just now; nothing was changed. "
            "Send the request again after Retry-After seconds."
        ),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
