"""Signing in through the identity provider with the device authorization grant (RFC 8628):
the portal accepts the provider's access tokens as bearer tokens.

The portal does not tell clients which provider it trusts, so the issuer and the client id
are given on the command line; the provider's discovery document says whether it offers
the device flow at all.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from fusionops_cli import paths
from fusionops_cli.errors import CliError, ExitCode, UsageError

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5  # seconds, when the provider names none (RFC 8628 §3.2)
SLOW_DOWN_STEP = 5  # seconds added at every slow_down (§3.5)


def pause(seconds: float) -> None:
    """Wait between polls (a name of its own, for tests to replace)."""
    time.sleep(seconds)


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def discover(issuer: str, http: httpx.Client) -> dict[str, Any]:
    url = issuer.rstrip("/") + paths.OIDC_DISCOVERY
    try:
        response = http.get(url)
    except httpx.TransportError as exc:
        raise CliError(f"Cannot reach the provider at {url}: {exc}.", ExitCode.UNAVAILABLE) from exc
    if response.status_code >= 500:
        raise CliError(
            f"The provider's discovery ({url}) answered {response.status_code}.",
            ExitCode.UNAVAILABLE,
        )
    try:
        metadata = response.json() if response.is_success else None
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        raise UsageError(
            f"{issuer} is not an OpenID provider: {url} answered {response.status_code} "
            "without a discovery document."
        )
    return metadata


def device_endpoint(metadata: dict[str, Any], issuer: str) -> str:
    endpoint = metadata.get("device_authorization_endpoint")
    if not endpoint:
        raise UsageError(
            f"The provider at {issuer} does not support the device flow (its discovery "
            "document names no device_authorization_endpoint). Sign in with a token "
            "instead: fusionops login --url URL --token TOKEN."
        )
    return endpoint


def device_code_request(
    endpoint: str, *, client_id: str, client_secret: str | None, scope: str, http: httpx.Client
) -> DeviceCode:
    response = http.post(endpoint, data=_client_form(client_id, client_secret, scope=scope))
    body = _json(response)
    if not response.is_success or "device_code" not in body:
        refused = response.status_code in (400, 401, 403)
        raise CliError(
            "The provider refused the device authorization request: "
            f"{_oauth_error(body, response)}.",
            ExitCode.NOT_ALLOWED if refused else ExitCode.UNAVAILABLE,
        )
    return DeviceCode(
        device_code=body["device_code"],
        user_code=body["user_code"],
        verification_uri=body.get("verification_uri") or body.get("verification_url", ""),
        verification_uri_complete=body.get("verification_uri_complete"),
        expires_in=float(body.get("expires_in") or 600),
        interval=float(body.get("interval") or DEFAULT_INTERVAL),
    )


def device_token_poll(
    token_endpoint: str,
    code: DeviceCode,
    *,
    client_id: str,
    client_secret: str | None,
    http: httpx.Client,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll the token endpoint every `interval` seconds (longer after each slow_down)
    until the user approves, denies, or the code expires."""
    sleep = sleep or pause
    interval = code.interval
    deadline = clock() + code.expires_in
    form = {
        **_client_form(client_id, client_secret),
        "grant_type": DEVICE_GRANT,
        "device_code": code.device_code,
    }
    while True:
        sleep(interval)
        if clock() > deadline:
            raise CliError("The code expired before it was approved.", ExitCode.NOT_ALLOWED)
        try:
            response = http.post(token_endpoint, data=form)
        except httpx.TransportError as exc:
            raise CliError(
                f"Cannot reach the provider's token endpoint: {exc}.", ExitCode.UNAVAILABLE
            ) from exc
        body = _json(response)
        if response.is_success and body.get("access_token"):
            return body
        error = body.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += SLOW_DOWN_STEP
            continue
        if error == "access_denied":
            raise CliError("The sign-in was denied.", ExitCode.NOT_ALLOWED)
        if error == "expired_token":
            raise CliError("The code expired before it was approved.", ExitCode.NOT_ALLOWED)
        raise CliError(
            f"The provider refused the token request: {_oauth_error(body, response)}.",
            ExitCode.NOT_ALLOWED if response.status_code < 500 else ExitCode.UNAVAILABLE,
        )


def _client_form(client_id: str, client_secret: str | None, **extra: str) -> dict[str, str]:
    form = {"client_id": client_id, **extra}
    if client_secret:
        form["client_secret"] = client_secret
    return form


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _oauth_error(body: dict[str, Any], response: httpx.Response) -> str:
    error = body.get("error") or f"HTTP {response.status_code}"
    description = body.get("error_description")
    return f"{error}: {description}" if description else str(error)
