import re
import time
import uuid

import structlog
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from apps.platform.context import request_context
from apps.platform.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
CLIENT_REQUEST_ID_HEADER = "X-Client-Request-ID"
# A caller's own request id (proxies, other services) is kept beside the portal's as long as
# it cannot smuggle anything into headers or logs: visible ASCII without spaces or quotes,
# at most 128 characters.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

logger = structlog.get_logger("fusionops.request")


class RequestIdMiddleware:
    """Give every request an id of the portal's own (X-Request-ID in the response, in every
    log line, and the correlation id of the events it records). A caller's X-Request-ID is
    kept beside it (X-Client-Request-ID, `client_request_id` in logs and in the actor of
    events) but never decides which timeline an event joins.

    Also writes one access-log line per request (health probes at debug level).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        client_request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else None
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        request.client_request_id = client_request_id
        with request_context(request_id, client_request_id=client_request_id):
            started = time.perf_counter()
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if client_request_id:
                response[CLIENT_REQUEST_ID_HEADER] = client_request_id
            log = logger.debug if request.path.startswith("/health/") else logger.info
            log(
                "request.finished",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
        return response


class RejectNulMiddleware:
    """A NUL character in the path or query can never name anything the portal stores
    (PostgreSQL text cannot hold it): refuse such requests up front, as a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, value in request.GET.items()
        ):
            detail = _("The request contains a NUL character.")
            if request.path.startswith("/api/"):
                return problem_response(status=400, detail=detail)
            return HttpResponseBadRequest(detail)
        return self.get_response(request)
