"""application/problem+json (RFC 9457) responses: the one shape of every API error."""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from apps.platform.context import current_client_request_id, current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:fusionops:problem:"

# Default problem type per status, for errors that do not name a more specific one.
STATUS_PROBLEM_TYPES = {
    400: "bad-request",
    401: "not-authenticated",
    403: "permission-denied",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "request-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    429: "throttled",
    500: "server-error",
    503: "service-unavailable",
}


# The default title per status: HTTP's reason phrase, in the caller's language.
STATUS_TITLES = {
    400: _("Bad Request"),
    401: _("Unauthorized"),
    403: _("Forbidden"),
    404: _("Not Found"),
    405: _("Method Not Allowed"),
    406: _("Not Acceptable"),
    409: _("Conflict"),
    413: _("Request Entity Too Large"),
    415: _("Unsupported Media Type"),
    422: _("Unprocessable Entity"),
    429: _("Too Many Requests"),
    500: _("Internal Server Error"),
    503: _("Service Unavailable"),
}


def problem_type_uri(slug: str) -> str:
    return PROBLEM_TYPE_PREFIX + slug


def problem_response(
    *,
    status: int,
    detail: str,
    problem_type: str | None = None,
    title: str | None = None,
    errors: dict | None = None,
    extra: dict | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    body = {
        "type": problem_type_uri(problem_type or STATUS_PROBLEM_TYPES.get(status, "error")),
        "title": str(title or STATUS_TITLES.get(status) or HTTPStatus(status).phrase),
        "status": status,
        "detail": str(detail),
        "request_id": current_request_id(),
    }
    if client_request_id := current_client_request_id():
        body["client_request_id"] = client_request_id
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested field errors as {"items.0.resource": ["message", ...]}."""
    flat: dict[str, list[str]] = {}

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                key = "non_field_errors" if key == "__all__" else str(key)
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list | tuple):
            if all(not isinstance(item, dict | list | tuple) for item in node):
                flat.setdefault(path or "non_field_errors", []).extend(str(m) for m in node)
            else:
                for index, item in enumerate(node):
                    if item:
                        walk(item, f"{path}.{index}" if path else str(index))
        else:
            flat.setdefault(path or "non_field_errors", []).append(str(node))

    walk(detail, prefix)
    return flat
