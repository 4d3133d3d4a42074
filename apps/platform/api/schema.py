"""What every operation of the schema can answer besides success: the problem+json errors
(one Problem schema, its `type` URNs listed), and the request-id headers. A drf-spectacular
postprocessing hook, so no view has to repeat them."""

from apps.platform.middleware import CLIENT_REQUEST_ID_HEADER, REQUEST_ID_HEADER
from apps.platform.problems import PROBLEM_CONTENT_TYPE, STATUS_PROBLEM_TYPES, problem_type_uri

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {
            "type": "string",
            "description": "A stable URN naming the kind of problem, e.g. "
            + ", ".join(
                problem_type_uri(slug) for slug in sorted(set(STATUS_PROBLEM_TYPES.values()))
            )
            + " (or a more specific one: validation-error, conflict, insufficient-stock, …).",
            "pattern": r"^urn:fusionops:problem:[a-z0-9-]+$",
        },
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"type": "string", "description": "Quote it when reporting the problem."},
        "client_request_id": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field → messages, for a request with invalid fields.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail", "request_id"],
    "additionalProperties": True,  # some problems say more: the conflicts, the shortages
}

DESCRIPTIONS = {
    "400": "The request is malformed or has invalid fields (see `errors`).",
    "401": "No valid credentials: send `Authorization: Bearer <token>`.",
    "403": "The caller's roles do not allow this.",
    "404": "Nothing here by that id.",
    "409": "The request conflicts with the current state (a booking in the way, a value "
    "another row holds, a transition the state does not allow, the first request with this "
    "Idempotency-Key still running: retry after `Retry-After`).",
    "422": "This Idempotency-Key was used with another request: use a new key for it.",
    "413": "The request body is larger than the portal accepts.",
    "415": "The body is not JSON.",
    "429": "Too many requests: wait `Retry-After` seconds.",
    "503": "The database cannot be reached just now and nothing was changed: send the same "
    "request again (with the same Idempotency-Key) after `Retry-After` seconds.",
}
WRITES = {"post", "put", "patch", "delete"}
# Answered by the HTTP server before the portal sees the request, so not as a problem.
URI_TOO_LONG = {
    "description": "The request line is longer than the server reads (8 KiB): send fewer or "
    "shorter query parameters.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _problem_response(status: str) -> dict:
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
    }


def _problem_types() -> str:
    return ", ".join(problem_type_uri(slug) for slug in sorted(set(STATUS_PROBLEM_TYPES.values())))


def statuses_of(path: str, method: str, operation: dict) -> list[str]:
    """The error statuses an operation can answer."""
    statuses = ["400"] if operation.get("parameters") or operation.get("requestBody") else []
    security = operation.get("security")
    if security and {} not in security:
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if method in WRITES:
        statuses.append("409")
    if operation.get("requestBody"):
        statuses += ["413", "415"]
    if any(
        parameter.get("name") == "Idempotency-Key" for parameter in operation.get("parameters", [])
    ):
        statuses.append("422")
    statuses += ["414", "429", "503"]
    return statuses


def document_problems(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = {
        **PROBLEM,
        "description": f"An error, as RFC 9457 describes it. Types by status: {_problem_types()}.",
    }
    components.setdefault("responses", {}).update(
        {f"Problem{status}": _problem_response(status) for status in DESCRIPTIONS}
    )
    components["responses"]["UriTooLong"] = URI_TOO_LONG
    components.setdefault("parameters", {})["RequestId"] = {
        "in": "header",
        "name": REQUEST_ID_HEADER,
        "required": False,
        "description": "Your id for this request: kept beside the portal's and returned as "
        f"{CLIENT_REQUEST_ID_HEADER} when it is 1 to 128 of A-Z a-z 0-9 . _ : @ / + = - "
        "(anything else is ignored, never refused).",
        "schema": {"type": "string"},
    }
    components.setdefault("headers", {}).update(
        {
            "RequestId": {
                "description": "The portal's id of this request (in its logs and events).",
                "schema": {"type": "string"},
            },
            "ClientRequestId": {
                "description": "The X-Request-ID the caller sent, if it was well formed.",
                "schema": {"type": "string"},
            },
        }
    )
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = statuses_of(path, method, operation)
            operation.setdefault("parameters", [])
            operation["parameters"].append({"$ref": "#/components/parameters/RequestId"})
            responses = operation.setdefault("responses", {})
            for status in statuses:
                name = "UriTooLong" if status == "414" else f"Problem{status}"
                responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {}).setdefault(
                        "X-Request-ID", {"$ref": "#/components/headers/RequestId"}
                    )
    return result
