"""Signing in through the company's identity provider (OpenID Connect).

mozilla-django-oidc runs the authorization-code flow; this module gives it the provider's
endpoints (from discovery, unless set one by one) and a backend that finds people by the
provider's stable subject (`sub`) and sets their roles from a claim at every login.
"""

import threading
import time
from urllib.parse import urlencode

import requests
import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.views import View
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
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


class ProviderSettings:
    @staticmethod
    def get_settings(attr, *args):
        return provider_setting(attr, *args)


class OidcBackend(ProviderSettings, OIDCAuthenticationBackend):
    """People are found by the provider's subject, created at first login, and get their
    name, email and roles from the provider at every login."""

    def __init__(self, *args, **kwargs):
        # Endpoints are looked up when used (they may come from discovery, which must not
        # run whenever Django loads its backends), not here.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    # A deactivated user's session ends (mozilla-django-oidc's get_user does not check).
    get_user = ModelBackend.get_user

    def authenticate(self, request, **kwargs):
        if not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_userinfo(self, access_token, id_token, payload):
        # The ID token's claims, completed (and overridden) by the userinfo endpoint's:
        # providers put roles in one or the other. Both must be about the same person.
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub", payload.get("sub"))) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo describes another subject than the ID token")
        return {**payload, **userinfo}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(oidc_subject=claims["sub"])

    def get_or_create_user(self, access_token, id_token, payload):
        from apps.accounts.services import user_sync_from_claims

        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            return None
        return user_sync_from_claims(claims=claims)


class ProviderViewMixin(ProviderSettings):
    """404 while no provider is configured; a 503 page while it cannot be reached."""

    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except (ProviderUnavailable, requests.RequestException) as exc:
            logger.warning("oidc.provider_unavailable", error=str(exc))
            return render(request, "accounts/sso_unavailable.html", status=503)


class AuthenticationRequestView(ProviderViewMixin, oidc_views.OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # The endpoint is looked up per request, not when the view is made: discovery may
        # fail, and that is answered with a page, not an error.
        View.__init__(self, **kwargs)

    def get(self, request):
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(ProviderViewMixin, oidc_views.OIDCAuthenticationCallbackView):
    pass


class LogoutView(ProviderViewMixin, oidc_views.OIDCLogoutView):
    pass
