"""Sending one webhook: the body (an event's public contract), its Standard Webhooks
signature, and a POST that goes only where it may.

- The signature: `webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`
  (standardwebhooks), one per valid secret (two during a rotation's overlap).
- Where it goes: http(s) URLs only, HTTPS only unless WEBHOOK_REQUIRE_HTTPS is off; a host
  that resolves to a loopback, private, link-local or otherwise non-public address is refused
  unless WEBHOOK_ALLOW_PRIVATE_URLS is on. The connection is made to the address that was
  checked (the Host header and TLS name stay the URL's), so a DNS answer that changes between
  the check and the call cannot redirect it; redirects are never followed.
"""

import ipaddress
import json
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

# Connections are kept per thread (the relay runs deliveries one after another).
_local = threading.local()
RESPONSE_BYTES_READ = 64 * 1024


class UrlRefused(ValueError):
    """A webhook URL the portal will not call (its scheme, or where its host resolves)."""


class DeliveryFailed(Exception):
    """The receiver did not take the event (a non-2xx answer, a timeout, a refused URL);
    `outcome` is kept with the delivery."""

    def __init__(self, message: str, outcome: dict | None):
        super().__init__(message)
        self.outcome = outcome


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def target_of(url: str) -> Target:
    """Where a POST to `url` would go, or UrlRefused saying why it may not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused(_("A webhook URL must be an http or https URL with a host."))
    if parts.scheme != "https" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise UrlRefused(_("A webhook URL must use HTTPS."))
    if parts.username or parts.password:
        raise UrlRefused(_("A webhook URL must not carry credentials; sign-in is the signature."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(_("%(host)s does not resolve.") % {"host": parts.hostname}) from exc
    addresses = [info[4][0] for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        for address in addresses:
            if not ipaddress.ip_address(address).is_global:
                raise UrlRefused(
                    _("%(host)s resolves to %(address)s, which is not a public address.")
                    % {"host": parts.hostname, "address": address}
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


def signature(secrets: list[str], *, message_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets
    )


def body_of(event, public: dict) -> str:
    """What an endpoint receives for an event: its envelope and public payload."""
    return json.dumps(
        {
            "id": str(event.id),
            "type": event.type,
            "version": event.version,
            "timestamp": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "aggregate": {"type": event.aggregate_type, "id": event.aggregate_id},
            "data": public,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    pools = getattr(_local, "pools", None)
    if pools is None:
        pools = _local.pools = {}
    key = (target.scheme, target.address, target.port, target.host)
    pool = pools.get(key)
    if pool is None:
        timeout = urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS)
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                target.address, target.port, maxsize=1, timeout=timeout, retries=False,
                server_hostname=target.host, assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(
                target.address, target.port, maxsize=1, timeout=timeout, retries=False
            )
        pools[key] = pool
    return pool


def post(url: str, *, secrets: list[str], message_id: str, body: str) -> dict:
    """POST a signed body; the outcome (status code, milliseconds) when the receiver took
    it (2xx), DeliveryFailed otherwise."""
    try:
        target = target_of(url)
    except UrlRefused as exc:
        raise DeliveryFailed(str(exc), {"refused": str(exc)}) from exc
    now = datetime.now(UTC)
    host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    headers = {
        "Host": host,
        "Content-Type": "application/json",
        "User-Agent": "FusionOps-Webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature(secrets, message_id=message_id, timestamp=now, body=body),
    }
    started = time.perf_counter()
    try:
        response = _pool(target).urlopen(
            "POST", target.path, body=body.encode(), headers=headers, redirect=False,
            retries=False, preload_content=False, assert_same_host=False,
        )  # fmt: skip
        try:
            response.read(RESPONSE_BYTES_READ)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        milliseconds = round((time.perf_counter() - started) * 1000, 1)
        reason = type(exc).__name__
        if isinstance(exc, urllib3.exceptions.TimeoutError):
            reason = f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s"
        raise DeliveryFailed(reason, {"error": reason, "duration_ms": milliseconds}) from exc
    milliseconds = round((time.perf_counter() - started) * 1000, 1)
    outcome = {"status_code": response.status, "duration_ms": milliseconds}
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"HTTP {response.status}", outcome)
    return outcome
