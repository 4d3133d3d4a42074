"""The identity provider's settings: whether sign-in through it is configured, and its
endpoints, set one by one or read from its discovery document (fetched once an hour)."""

import threading
import time
from urllib.parse import urlencode

import requests
import structlog
from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

from apps.accounts.exceptions import ProviderUnavailable

logger = structlog.get_logger("fusionops.auth")

# Settings the provider's discovery document can supply, and its names for them.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
    "OIDC_OP_ISSUER": "issuer",
}
METADATA_TTL_SECONDS = 3600

_metadata: dict = {"document": None, "fetched_at": 0.0}
_metadata_lock = threading.Lock()


def oidc_enabled() -> bool:
    return bool(
        settings.OIDC_RP_CLIENT_ID
        and (settings.OIDC_OP_DISCOVERY_URL or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    )


def provider_metadata() -> dict:
    """The provider's discovery document, fetched once an hour (and kept if a refresh
    fails)."""
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        return {}
    with _metadata_lock:
        fresh = time.monotonic() - _metadata["fetched_at"] < METADATA_TTL_SECONDS
        if _metadata["document"] is not None and fresh:
            return _metadata["document"]
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            if _metadata["document"] is not None:
                logger.warning("oidc.discovery_refresh_failed", error=str(exc))
                return _metadata["document"]
            raise ProviderUnavailable("the identity provider's discovery failed") from exc
        _metadata.update(document=document, fetched_at=time.monotonic())
        return document


def forget_provider_metadata() -> None:
    with _metadata_lock:
        _metadata.update(document=None, fetched_at=0.0)


def provider_setting(name: str, *default):
    """An OIDC setting: set explicitly, else from discovery, else `default`."""
    explicit = getattr(settings, name, "")
    if explicit:
        return explicit
    if name in DISCOVERED:
        value = provider_metadata().get(DISCOVERED[name])
        if value:
            return value
    if default:
        return default[0]
    return import_from_settings(name)


def provider_logout_url(request) -> str:
    """Where logging out ends: the provider's end-session endpoint (RP-initiated logout)
    when it has one, so that the provider's session ends too; else this site."""
    after = request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL)
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
    except ProviderUnavailable:
        endpoint = ""  # signing out here must not wait for the provider
    if not endpoint:
        return after
    params = {"post_logout_redirect_uri": after, "client_id": settings.OIDC_RP_CLIENT_ID}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"
