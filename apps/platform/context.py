"""Per-request (or per-delivery) context that logs, errors and events read.

The request id becomes an event's correlation id; the authentication method is recorded
with the actor; the event a subscriber is handling becomes the cause of what it emits.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_request_id: ContextVar[str | None] = ContextVar("client_request_id", default=None)
_auth_method: ContextVar[str | None] = ContextVar("auth_method", default=None)
_causation: ContextVar[tuple[str, str] | None] = ContextVar("causation", default=None)
# Who the caller is, once authenticated: (user id, username), for error reports.
_caller: ContextVar[tuple[int, str] | None] = ContextVar("caller", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def current_client_request_id() -> str | None:
    """The id the caller gave its request (X-Request-ID), if any: kept for tracing, never
    used to correlate events."""
    return _client_request_id.get()


@contextmanager
def request_context(request_id: str, *, client_request_id: str | None = None):
    """The context of one request: the portal's id for it, the caller's own id, and (once
    authenticated) how the caller proved who they are."""
    tokens = (
        _request_id.set(request_id),
        _client_request_id.set(client_request_id),
        _auth_method.set(None),
        _caller.set(None),
    )
    try:
        yield
    finally:
        _caller.reset(tokens[3])
        _auth_method.reset(tokens[2])
        _client_request_id.reset(tokens[1])
        _request_id.reset(tokens[0])


def current_auth_method() -> str | None:
    return _auth_method.get()


def bind_auth_method(method: str, user=None) -> None:
    """Called by authentication once it knows how the caller proved who they are (and,
    given the user, who they are)."""
    _auth_method.set(method)
    if user is not None:
        _caller.set((user.pk, user.get_username()))


def current_caller() -> tuple[int, str] | None:
    return _caller.get()


def current_causation() -> tuple[str, str] | None:
    """(event id, correlation id) of the event being handled, if any."""
    return _causation.get()


@contextmanager
def handling_event(*, event_id: str, correlation_id: str, auth_method: str = "system"):
    """Context of a subscriber run: what it emits is caused by, and correlated with, the
    event it handles."""
    tokens = (
        _causation.set((event_id, correlation_id)),
        _request_id.set(correlation_id),
        _auth_method.set(auth_method),
    )
    try:
        yield
    finally:
        _auth_method.reset(tokens[2])
        _request_id.reset(tokens[1])
        _causation.reset(tokens[0])


@contextmanager
def correlated(correlation_id: str):
    """What is emitted inside shares `correlation_id` (an order's events, say), whoever
    started it; the caller's authentication method is kept."""
    token = _request_id.set(correlation_id)
    try:
        yield
    finally:
        _request_id.reset(token)
