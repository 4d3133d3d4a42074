"""DRF's exception handler, answering every API error with problem+json."""

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import set_rollback

from apps.platform.exceptions import DomainError
from apps.platform.problems import flatten_errors, problem_response

logger = structlog.get_logger("fusionops.api")

# DRF's error codes, mapped to problem types where the wording differs.
DRF_CODE_PROBLEM_TYPES = {
    "invalid": "validation-error",
    "parse_error": "malformed-request",
}


def problem_exception_handler(exc, context):
    set_rollback()
    if isinstance(exc, DomainError):
        return problem_response(
            status=exc.status,
            problem_type=exc.problem_type,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            extra=exc.extra,
        )
    if isinstance(exc, DjangoValidationError):
        errors = flatten_errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return validation_problem(errors)
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            status=413,
            detail=_("The request body is larger than the portal accepts."),
        )
    if isinstance(exc, SuspiciousOperation):
        return problem_response(status=400, detail=_("The request could not be understood."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        # Log the traceback with the request id (the log processor adds it); reveal nothing.
        logger.exception("api.unhandled_error", exc_type=type(exc).__name__)
        return problem_response(
            status=500,
            detail=_("An unexpected error occurred. Quote the request id when reporting it."),
        )

    if isinstance(exc, exceptions.ValidationError):
        return validation_problem(flatten_errors(exc.detail))

    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
    return problem_response(
        status=exc.status_code,
        problem_type=DRF_CODE_PROBLEM_TYPES.get(code, code.replace("_", "-")) if code else None,
        detail=exc.detail,
        headers=headers,
    )


def validation_problem(errors: dict):
    return problem_response(
        status=400,
        problem_type="validation-error",
        title=_("The request has invalid fields."),
        detail=_("Correct the fields listed in errors and send the request again."),
        errors=errors,
    )
