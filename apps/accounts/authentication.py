import structlog
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from apps.accounts import metrics, selectors, services
from apps.accounts.tokens import TOKEN_PREFIX, InvalidToken
from apps.platform.api.throttling import AuthFailureThrottle, UserRateThrottle
from apps.platform.context import bind_auth_method

logger = structlog.get_logger("fusionops.auth")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer …` with a token from `manage.py issue_token` (`fo_…`), or an
    access token from the identity provider."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be 'Bearer <token>'.")
            )
        try:
            raw = parts[1].decode("ascii")
            if raw.startswith(TOKEN_PREFIX):
                throttle = UserRateThrottle.counted_with_authentication(request)
                token = selectors.api_token_authenticate(raw, throttle=throttle)
                if throttle is not None:
                    throttle.precounted(request, token.window_count)
                services.api_token_record_use(token=token)
                bind_auth_method("token", token.user)
                return token.user, token
            # Checking a provider token may ask the provider: an address that keeps sending
            # bad tokens is refused before that.
            throttle = AuthFailureThrottle()
            if throttle.exhausted(throttle.get_cache_key(request, None)):
                raise exceptions.Throttled(wait=throttle.wait())
            user = services.provider_token_user(raw)
            bind_auth_method("oidc", user)
            return user, None
        except (InvalidToken, UnicodeDecodeError) as exc:
            # The reason is logged for operators; the caller learns only that it failed.
            logger.info("auth.token_rejected", reason=str(exc))
            metrics.auth_failures.labels(kind="token").inc()
            throttle = AuthFailureThrottle()
            if not throttle.allow_request(request, None):
                raise exceptions.Throttled(wait=throttle.wait()) from None
            raise exceptions.AuthenticationFailed(
                _("The token is invalid, expired or revoked.")
            ) from None

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The admin's session cookie (browsable API), recorded as such on events."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            bind_auth_method("session", result[0])
        return result
