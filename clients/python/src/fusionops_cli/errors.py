"""Exit codes, and the errors that end a command with one."""

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2  # click's own code for usage errors too
    NOT_ALLOWED = 3  # 401, 403
    NOT_FOUND = 4  # 404
    CONFLICT = 5  # 409, and an Idempotency-Key reused with another body
    INVALID = 6  # 400, 422 and the other refusals of the request as sent
    UNAVAILABLE = 7  # unreachable, 5xx, 429 or 503 after the retries
    AUDIT_BROKEN = 8  # verify-audit: the log failed a check


EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  unexpected error
  2  usage or bad input on the command line
  3  not authenticated or not allowed (401, 403)
  4  not found (404)
  5  conflict (409: a booking in the way, not enough stock, an
     Idempotency-Key reused with another body)
  6  refused as invalid by the portal (400, 422)
  7  portal unavailable: unreachable, 5xx, or 429/503 after retries
  8  audit log broken (verify-audit)"""

# Problem types whose meaning is a conflict whatever status the portal answers with
# (the portal answers a reused key with 422; the published contract lists it under 409).
CONFLICT_PROBLEM_TYPES = frozenset({"urn:fusionops:problem:idempotency-key-reused"})


class CliError(Exception):
    """Ends the command: `message` to stderr, then exit with `exit_code`."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.UNEXPECTED):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageError(CliError):
    def __init__(self, message: str):
        super().__init__(message, ExitCode.USAGE)


class ApiError(CliError):
    """The portal refused the request (or could not answer it): its status, and the
    problem document when it sent one."""

    def __init__(self, status: int, problem: dict[str, Any] | None, text: str = ""):
        self.status = status
        self.problem = problem
        self.text = text
        title = (problem or {}).get("title") or f"HTTP {status}"
        super().__init__(str(title), exit_code_for(status, problem))


def exit_code_for(status: int, problem: dict[str, Any] | None = None) -> ExitCode:
    if problem and problem.get("type") in CONFLICT_PROBLEM_TYPES:
        return ExitCode.CONFLICT
    if status in (401, 403):
        return ExitCode.NOT_ALLOWED
    if status == 404:
        return ExitCode.NOT_FOUND
    if status == 409:
        return ExitCode.CONFLICT
    if status == 429 or status >= 500:
        return ExitCode.UNAVAILABLE
    if 400 <= status < 500:
        return ExitCode.INVALID
    return ExitCode.UNEXPECTED
