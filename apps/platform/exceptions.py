"""Domain errors. Services raise them; one handler turns them into problem+json."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. `problem_type` is the stable slug clients can match on."""

    status = 400
    problem_type = "domain-error"
    title = _("The request cannot be carried out.")

    def __init__(self, detail: str, *, errors: dict | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404
    problem_type = "not-found"
    title = _("Not found.")


class Conflict(DomainError):
    status = 409
    problem_type = "conflict"
    title = _("The request conflicts with the current state.")
