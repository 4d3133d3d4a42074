"""Idempotency keys for POST endpoints.

A client that may retry sends `Idempotency-Key: <1 to 255 printable characters>`. The key is
claimed (a row under a unique constraint per caller) in the same transaction as the write,
and the response is stored in that transaction too, so:

- the same key with the same request answers the stored status and body again, with
  `Idempotent-Replayed: true`, and nothing is written twice;
- the same key with another request is a 422;
- a retry that arrives while the first is still running waits for it (PostgreSQL holds
  its insert on the unique index until the first commits), then replays; after
  IDEMPOTENCY_WAIT_SECONDS it gets 409 with Retry-After instead;
- a request that fails writes nothing, its key included: the client may simply retry.

Keys expire after IDEMPOTENCY_KEY_TTL_HOURS; an expired key is claimed afresh, and the
worker purges them.
"""

import functools
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer

from apps.core.models import IdempotencyKey
from apps.platform.problems import problem_response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")


def idempotency_key_parameter(*, required: bool) -> OpenApiParameter:
    """The header as the schema states it: exactly what `KEY_PATTERN` accepts."""
    return OpenApiParameter(
        HEADER,
        {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"},
        OpenApiParameter.HEADER,
        required=required,
        description="Send the same key again to retry safely: the first response is replayed.",
    )


IDEMPOTENCY_KEY_PARAMETER = idempotency_key_parameter(required=False)
IDEMPOTENCY_KEY_REQUIRED = idempotency_key_parameter(required=True)
_LOCK_NOT_AVAILABLE = "55P03"

# Claim the key: insert it, or take over an expired one. Returns a row only when this
# request may run; waits (up to lock_timeout) while another transaction holds the key.
_CLAIM = """
INSERT INTO core_idempotencykey
    (owner, key, request_hash, status_code, response_body, response_headers, created_at,
     expires_at)
VALUES (%(owner)s, %(key)s, %(hash)s, NULL, '', '{}', %(now)s, %(expires)s)
ON CONFLICT (owner, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = '',
        response_headers = '{}', created_at = EXCLUDED.created_at,
        expires_at = EXCLUDED.expires_at
    WHERE core_idempotencykey.expires_at <= %(now)s
RETURNING id
"""


def request_hash(request) -> str:
    """The method, path and (canonical) body of a request."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def owner_of(user) -> str:
    """Whose keys these are: a key is one caller's, whichever API it came through."""
    return f"user:{user.pk}"


@dataclass(frozen=True)
class Answer:
    """What a write answered: stored with its key, and answered again on a replay."""

    status_code: int
    body: str
    headers: dict = field(default_factory=dict)
    replayed: bool = False


class KeyReused(Exception):
    """The key was claimed for another request."""


class KeyInFlight(Exception):
    """Another request holds the key longer than IDEMPOTENCY_WAIT_SECONDS."""

    def __init__(self):
        super().__init__("in flight")
        self.retry_after = max(1, math.ceil(settings.IDEMPOTENCY_WAIT_SECONDS))


def run_once(*, owner: str, key: str, fingerprint: str, work: Callable[[], Answer]) -> Answer:
    """Run `work` once per (owner, key) (see the module): its answer is stored with the
    key in its transaction; the same key and `fingerprint` again get the stored answer,
    `replayed`. An answer of 300 or more, or an exception, writes nothing, the key
    included. KeyReused and KeyInFlight say why `work` did not run."""
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = _claim(owner, key, fingerprint, now)
            if claimed is None:
                stored = IdempotencyKey.objects.get(owner=owner, key=key)
                if stored.request_hash != fingerprint:
                    raise KeyReused
                return Answer(
                    stored.status_code, stored.response_body, stored.response_headers, True
                )
            answer = work()
            if answer.status_code >= 300:
                # Nothing was written (the error rolls the transaction back), the key
                # included: a retry runs afresh.
                transaction.set_rollback(True)
                return answer
            IdempotencyKey.objects.filter(pk=claimed[0]).update(
                status_code=answer.status_code,
                response_body=answer.body,
                response_headers=answer.headers,
            )
            return answer
    except _InFlight:
        raise KeyInFlight from None


def _replay(stored: Answer) -> HttpResponse:
    response = HttpResponse(stored.body, status=stored.status_code)
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(*, required: bool = False):
    """Decorate a DRF view's `post` so that it honours Idempotency-Key (see the module)."""

    def decorate(post):
        @functools.wraps(post)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                if required:
                    return problem_response(
                        status=400,
                        problem_type="idempotency-key-required",
                        detail=_("Send an Idempotency-Key header with this request."),
                    )
                return post(view, request, *args, **kwargs)
            if not KEY_PATTERN.fullmatch(key):
                return problem_response(
                    status=400,
                    problem_type="invalid-idempotency-key",
                    detail=_("An Idempotency-Key is 1 to 255 printable ASCII characters."),
                )
            return _run_once(request, key, lambda: post(view, request, *args, **kwargs))

        return wrapper

    return decorate


class _InFlight(Exception):
    """The key's row stayed locked past the wait."""


def _claim(owner: str, key: str, fingerprint: str, now) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)",
            [f"{int(settings.IDEMPOTENCY_WAIT_SECONDS * 1000)}ms"],
        )
        try:
            cursor.execute(
                _CLAIM,
                {
                    "owner": owner,
                    "key": key,
                    "hash": fingerprint,
                    "now": now,
                    "expires": now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
                },
            )
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise _InFlight from exc
            raise
        claimed = cursor.fetchone()
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return claimed


def _run_once(request, key: str, post: Callable[[], HttpResponse]) -> HttpResponse:
    produced: list[HttpResponse] = []

    def work() -> Answer:
        response = post()
        produced.append(response)
        if response.status_code >= 300:
            return Answer(response.status_code, "")
        # Stored as JSON whatever the first caller negotiated (the browsable API's HTML,
        # say): a replay answers what an API client expects.
        headers = {"Content-Type": "application/json"}
        if response.has_header("Location"):
            headers["Location"] = response["Location"]
        return Answer(response.status_code, JSONRenderer().render(response.data).decode(), headers)

    try:
        answer = run_once(
            owner=owner_of(request.user), key=key, fingerprint=request_hash(request), work=work
        )
    except KeyReused:
        return problem_response(
            status=422,
            problem_type="idempotency-key-reused",
            detail=_("This Idempotency-Key was used for another request."),
        )
    except KeyInFlight as exc:
        return problem_response(
            status=409,
            problem_type="idempotency-key-in-flight",
            detail=_("A request with this Idempotency-Key is still running; retry shortly."),
            headers={"Retry-After": str(exc.retry_after)},
        )
    return _replay(answer) if answer.replayed else produced[0]


def idempotency_keys_purge(*, batch: int = 5000) -> int:
    """Delete expired keys, in batches; returns how many (the worker runs this)."""
    purged = 0
    while True:
        expired = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).values("pk")[:batch]
        deleted, _counts = IdempotencyKey.objects.filter(pk__in=expired).delete()
        purged += deleted
        if deleted < batch:
            return purged
