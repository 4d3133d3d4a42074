"""Optional error reporting to Sentry (SENTRY_DSN; off without it). Reports carry the
request id, the correlation id and who the caller was, and no personal data: no cookies,
headers, bodies, addresses or e-mail."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from apps.platform.context import current_caller, current_causation, current_request_id

# Request headers a report keeps (everything else may carry a secret or a person).
KEPT_HEADERS = {"accept", "content-type", "content-length", "user-agent", "x-forwarded-proto"}


def init_error_reporting(*, dsn: str, environment: str, release: str) -> bool:
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        # Whatever the SDK's defaults collect, `scrubbed` keeps only what is listed there.
        # Frames' local variables and source lines may hold passwords and tokens; file
        # names, line numbers and the release are enough to find the code.
        include_local_variables=False,
        include_source_context=False,
        traces_sample_rate=0.0,
        before_send=scrubbed,
    )
    return True


def scrubbed(event: dict, hint: dict) -> dict:
    tags = event.setdefault("tags", {})
    request_id = current_request_id()
    if request_id:
        tags["request_id"] = request_id
    causation = current_causation()
    # A request's events are correlated by its id; a subscriber's by the event it handles.
    tags["correlation_id"] = causation[1] if causation else request_id
    caller = current_caller()
    event["user"] = {"id": str(caller[0]), "username": caller[1]} if caller else {}
    request = event.get("request")
    if request:
        request.pop("cookies", None)
        request.pop("data", None)
        request.pop("env", None)
        request.pop("query_string", None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    return event
