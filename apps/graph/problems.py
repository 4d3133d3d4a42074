"""Domain errors as typed results: a mutation answers a union of its success type and the
problems it can meet, each a `Problem` with the `code` REST's problem+json `type` ends with
(`allocation-conflict`, `insufficient-stock`, ...) and what the client needs to act on it.

Errors that are not the caller's to fix (a bug, the database gone) stay GraphQL errors."""

from datetime import datetime
from decimal import Decimal

import strawberry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DrfValidationError

from apps.core import idempotency
from apps.inventory.exceptions import InsufficientStock as InsufficientStockError
from apps.platform.exceptions import Conflict as ConflictError
from apps.platform.exceptions import DomainError
from apps.platform.exceptions import NotFound as NotFoundError
from apps.platform.problems import flatten_errors
from apps.resources.exceptions import AllocationConflict as AllocationConflictError

# What a mutation catches and answers as a Problem; anything else is a GraphQL error.
EXPECTED = (
    DomainError,
    DjangoValidationError,
    DrfValidationError,
    idempotency.KeyReused,
    idempotency.KeyInFlight,
)


@strawberry.interface(description="Why a mutation was refused; nothing was written.")
class Problem:
    code: str = strawberry.field(description="The problem type, as REST's problem+json names it.")
    message: str


@strawberry.type
class FieldError:
    field: str = strawberry.field(description="The input field, dotted: items.0.resource")
    messages: list[str]


@strawberry.type(description="The input has invalid fields.")
class ValidationFailed(Problem):
    fields: list[FieldError]


@strawberry.type(description="Something the input names does not exist.")
class NotFound(Problem):
    pass


@strawberry.type(description="The request conflicts with the current state.")
class Conflict(Problem):
    pass


@strawberry.type
class BookingInTheWay:
    item: int = strawberry.field(description="The index of the requested item it overlaps.")
    allocation: int
    resource: int
    resource_name: str
    project: int
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.type(description="Existing bookings overlap the requested periods.")
class AllocationConflict(Problem):
    conflicts: list[BookingInTheWay]


@strawberry.type
class Shortage:
    item: int
    location: int
    requested: Decimal
    available: Decimal


@strawberry.type(description="More was asked for than is available; every short line.")
class InsufficientStock(Problem):
    shortages: list[Shortage]


@strawberry.type(description="This idempotency key was used for another request.")
class IdempotencyKeyReused(Problem):
    pass


@strawberry.type(description="A request with this idempotency key is still running.")
class IdempotencyKeyInFlight(Problem):
    retry_after_seconds: int


def problem_of(error: Exception) -> Problem:
    """The typed result for an error of EXPECTED."""
    if isinstance(error, AllocationConflictError):
        return AllocationConflict(
            code=error.problem_type,
            message=str(error.detail),
            conflicts=[
                BookingInTheWay(
                    item=c["item"], allocation=c["allocation"], resource=c["resource"],
                    resource_name=c["resource_name"], project=c["project"], from_=c["from"],
                    to=c["to"],
                )
                for c in error.conflicts
            ],
        )  # fmt: skip
    if isinstance(error, InsufficientStockError):
        return InsufficientStock(
            code=error.problem_type,
            message=str(error.detail),
            shortages=[
                Shortage(
                    item=s["item"], location=s["location"],
                    requested=Decimal(s["requested"]), available=Decimal(s["available"]),
                )
                for s in error.shortages
            ],
        )  # fmt: skip
    if isinstance(error, NotFoundError):
        return NotFound(code=error.problem_type, message=str(error.detail))
    if isinstance(error, ConflictError):
        return Conflict(code=error.problem_type, message=str(error.detail))
    if isinstance(error, DomainError):
        # A rule about the input (400): the fields it names, or the whole request.
        errors = error.errors or {"non_field_errors": [str(error.detail)]}
        return validation_failed(errors, code=error.problem_type)
    if isinstance(error, DjangoValidationError):
        found = error.message_dict if hasattr(error, "error_dict") else error.messages
        return validation_failed(flatten_errors(found))
    if isinstance(error, DrfValidationError):
        return validation_failed(flatten_errors(error.detail))
    if isinstance(error, idempotency.KeyReused):
        return IdempotencyKeyReused(
            code="idempotency-key-reused",
            message=_("This Idempotency-Key was used for another request."),
        )
    if isinstance(error, idempotency.KeyInFlight):
        return IdempotencyKeyInFlight(
            code="idempotency-key-in-flight",
            message=_("A request with this Idempotency-Key is still running; retry shortly."),
            retry_after_seconds=error.retry_after,
        )
    raise TypeError(f"not a problem a mutation answers: {error!r}")


def validation_failed(
    errors: dict[str, list[str]], *, code: str = "validation-error"
) -> ValidationFailed:
    return ValidationFailed(
        code=code,
        message=_("Correct the fields listed and send the request again."),
        fields=[
            FieldError(field=name, messages=list(messages)) for name, messages in errors.items()
        ],
    )
