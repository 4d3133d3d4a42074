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
from apps.platform.unavailable import database_unavailable, unavailable_problem

logger = structlog.get_logger("fusionops.api")

# Errors that only say another row holds the value (DRF's and Django's codes).
UNIQUENESS_CODES = frozenset({"unique", "unique_together"})
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
        if _only_uniqueness(_django_codes(exc)):
            return uniqueness_problem(errors)
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

    if database_unavailable(exc):
        logger.warning("api.database_unavailable", exc_type=type(exc).__name__)
        return unavailable_problem()
    if not isinstance(exc, exceptions.APIException):
        # Log the traceback with the request id (the log processor adds it); reveal nothing.
        logger.exception("api.unhandled_error", exc_type=type(exc).__name__)
        return problem_response(
            status=500,
            detail=_("An unexpected error occurred. Quote the request id when reporting it."),
        )

    if isinstance(exc, exceptions.ValidationError):
        if _only_uniqueness(_codes(exc.get_codes())):
            return uniqueness_problem(flatten_errors(exc.detail))
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


def _only_uniqueness(codes: set) -> bool:
    return bool(codes) and codes <= UNIQUENESS_CODES


def _django_codes(exc: DjangoValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


def _codes(node) -> set:
    if isinstance(node, dict):
        return set().union(*(_codes(value) for value in node.values()))
    if isinstance(node, list | tuple):
        return set().union(*(_codes(value) for value in node))
    return {node}


def uniqueness_problem(errors: dict):
    # Well formed, but another row already holds the value: a conflict with the current
    # state, as a retry with the same body would be.
    return problem_response(
        status=409,
        problem_type="already-exists",
        title=_("Something with these values already exists."),
        detail=_("Choose other values for the fields listed in errors."),
        errors=errors,
    )


def validation_problem(errors: dict):
    return problem_response(
        status=400,
        problem_type="validation-error",
        title=_("The request has invalid fields."),
        detail=_("Correct the fields listed in errors and send the request again."),
        errors=errors,
    )
