"""The portal's REST API over httpx: bearer authentication, problem+json errors, bounded
retries of what the portal asks to be retried, cursor pagination, and one typed method per
operation the command line uses."""

import email.utils
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import httpx

from fusionops_cli import __version__, models, paths
from fusionops_cli.errors import ApiError, CliError, ExitCode

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Answers that mean "not now": the portal did nothing and says when to come back.
RETRY_STATUSES = frozenset({429, 503})
IN_FLIGHT_PROBLEM = "urn:fusionops:problem:idempotency-key-in-flight"
DEFAULT_RETRIES = 3
DEFAULT_MAX_WAIT = 30.0
DEFAULT_TIMEOUT = 30.0
AUDIT_VERIFY_TIMEOUT = 900.0


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def problem_of(response: httpx.Response) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class Client:
    """One portal, one token. `sleep` is injectable for tests of the retries."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        max_wait: float = DEFAULT_MAX_WAIT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str, float], None] | None = None,
    ):
        headers = {"Accept": "application/json", "User-Agent": f"fusionops-cli/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.on_retry = on_retry
        self.http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send; retry 429 and 503 (and a key still in flight) up to `retries` times,
        waiting as Retry-After says; raise ApiError for any other refusal."""
        headers = dict(headers or {})
        # Without a key a POST that may have reached the portal is not sent again.
        resendable = method == "GET" or IDEMPOTENCY_HEADER in headers
        attempt = 0
        while True:
            try:
                response = self.http.request(
                    method,
                    self._local(path),
                    params=params,
                    json=json,
                    headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Never reached the portal: always safe to try again.
                attempt = self._wait_or_give_up(attempt, None, f"cannot connect ({exc})", exc)
                continue
            except httpx.TransportError as exc:
                if not resendable:
                    raise CliError(
                        f"The connection to {self.base_url} failed ({exc}); the request may "
                        "or may not have been carried out.",
                        ExitCode.UNAVAILABLE,
                    ) from exc
                attempt = self._wait_or_give_up(attempt, None, f"connection failed ({exc})", exc)
                continue
            if response.is_success:
                return response
            problem = problem_of(response)
            retryable = response.status_code in RETRY_STATUSES or (
                response.status_code == 409 and (problem or {}).get("type") == IN_FLIGHT_PROBLEM
            )
            if not retryable or attempt >= self.retries:
                raise ApiError(response.status_code, problem, response.text[:2000])
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.max_wait:
                raise ApiError(response.status_code, problem, response.text[:2000])
            attempt = self._wait_or_give_up(
                attempt, wait, f"the portal answered {response.status_code}", None
            )

    def _wait_or_give_up(
        self, attempt: int, wait: float | None, why: str, exc: Exception | None
    ) -> int:
        if attempt >= self.retries:
            raise CliError(
                f"The portal at {self.base_url} is unavailable: {why}.", ExitCode.UNAVAILABLE
            ) from exc
        if wait is None:
            wait = min(0.5 * 2**attempt, self.max_wait)
        if self.on_retry is not None:
            self.on_retry(why, wait)
        self.sleep(wait)
        return attempt + 1

    def _local(self, url: str) -> str:
        """A path, or a link the portal gave (a page's `next`) made relative to the base
        URL: a proxy in front may name the portal by an address the client cannot reach."""
        if "://" not in url:
            return url
        parts = urlsplit(url)
        return urlunsplit(("", "", parts.path, parts.query, ""))

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_query(params)).json()

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        return self.request("POST", path, json=body, headers=headers, timeout=timeout)

    def pages[T](
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int | None = None
    ) -> Iterator[T]:
        """Every result of a cursor-paginated list (at most `limit`), following `next`."""
        url: str | None = path
        query: Mapping[str, Any] | None = _query(dict(params or {}))
        count = 0
        while url is not None:
            page = cast(models.Page[T], self.request("GET", url, params=query).json())
            query = None  # `next` carries the query on
            for result in page["results"]:
                yield result
                count += 1
                if limit is not None and count >= limit:
                    return
            url = page.get("next")

    # --- operations ------------------------------------------------------------------

    def token_check(self) -> None:
        """A call every role may make (GET /api/v1/tokens/): 401 or 403 when the token
        does not let its holder in."""
        self.request("GET", paths.TOKENS, params={"page_size": 1})

    def allocate(
        self, body: models.AllocateRequest, *, idempotency_key: str
    ) -> models.AllocationsCreated:
        response = self.post(paths.ALLOCATE, body, headers={IDEMPOTENCY_HEADER: idempotency_key})
        return cast(models.AllocationsCreated, response.json())

    def availability(self, params: Mapping[str, Any]) -> Iterator[models.ResourceAvailability]:
        return self.pages(paths.AVAILABILITY, params)

    def match(self, body: models.MatchRequest) -> models.MatchResult:
        return cast(models.MatchResult, self.post(paths.MATCH, body).json())

    def stock_move(
        self, path: str, body: models.MovementInputRequest, *, idempotency_key: str
    ) -> models.StockMovement:
        response = self.post(path, body, headers={IDEMPOTENCY_HEADER: idempotency_key})
        return cast(models.StockMovement, response.json())

    def stock_transfer(
        self, body: models.TransferInputRequest, *, idempotency_key: str
    ) -> models.Transfer:
        response = self.post(
            paths.STOCK_TRANSFER, body, headers={IDEMPOTENCY_HEADER: idempotency_key}
        )
        return cast(models.Transfer, response.json())

    def order_place(
        self, body: models.OrderInputRequest, *, idempotency_key: str
    ) -> tuple[models.OrderDetail, bool]:
        """The order, and whether the portal replayed it (the key was used before)."""
        response = self.post(paths.ORDERS, body, headers={IDEMPOTENCY_HEADER: idempotency_key})
        replayed = response.headers.get(REPLAYED_HEADER, "").lower() == "true"
        return cast(models.OrderDetail, response.json()), replayed

    def order(self, order_id: int) -> models.OrderDetail:
        return cast(models.OrderDetail, self.get(paths.order(order_id)))

    def order_workflow(self, order_id: int) -> models.Workflow:
        return cast(models.Workflow, self.get(paths.order_workflow(order_id)))

    def events(self, params: Mapping[str, Any], *, limit: int | None) -> Iterator[models.Event]:
        return self.pages(paths.EVENTS, params, limit=limit)

    def event_catalogue(self) -> models.EventCatalogue:
        return cast(models.EventCatalogue, self.get(paths.EVENT_CATALOGUE))

    def dead_letters(
        self, params: Mapping[str, Any], *, limit: int | None
    ) -> Iterator[models.DeadLetter]:
        return self.pages(paths.DEAD_LETTERS, params, limit=limit)

    def dead_letter_replay(self, delivery_id: int) -> models.DeadLetter:
        return cast(models.DeadLetter, self.post(paths.dead_letter_replay(delivery_id)).json())

    def audit_verify(
        self, body: models.AuditVerifyRequest, *, timeout: float = AUDIT_VERIFY_TIMEOUT
    ) -> models.AuditVerification:
        """Verifying reads the whole log (or all of it since `since`): it takes a while."""
        response = self.post(paths.AUDIT_VERIFY, body, timeout=timeout)
        return cast(models.AuditVerification, response.json())


def _query(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters without the unset ones; booleans as the portal reads them."""
    query = {}
    for name, value in params.items():
        if value is None:
            continue
        query[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return query
