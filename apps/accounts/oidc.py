"""Signing in through the company's identity provider (OpenID Connect).

mozilla-django-oidc runs the authorization-code flow; this module gives it the provider's
endpoints (provider.py) and a backend that finds people by the provider's stable subject
(`sub`) and sets their roles from a claim at every login.
"""

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

from apps.accounts.exceptions import ProviderUnavailable
from apps.accounts.provider import oidc_enabled, provider_setting
from apps.accounts.services import user_sync_from_claims

logger = structlog.get_logger("fusionops.auth")


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
