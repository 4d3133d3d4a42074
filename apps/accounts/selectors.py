from django.core.cache import cache
from django.utils import timezone

from apps.accounts.backends import permission_cache_keys, prime_permissions
from apps.accounts.models import ApiToken
from apps.accounts.token_cache import (
    TOKEN_CACHE_TTL_SECONDS,
    api_token_cache_key,
    api_token_use_gate_key,
)
from apps.accounts.tokens import InvalidToken, decode_token
from apps.platform.api.throttling import UserRateThrottle
from apps.platform.cache import cache_get_many_and_count


def api_token_authenticate(raw: str, *, throttle: UserRateThrottle | None = None) -> ApiToken:
    """The active token (with its user) that `raw` stands for, or InvalidToken.

    The token carries `use_recorded_recently` for api_token_record_use. With a `throttle`,
    the request is counted in its user's window in the same round trip (the count is
    handed to the throttle on `request` by the caller: see `window_count`)."""
    now = timezone.now()
    claims = decode_token(raw, now=now)
    key = api_token_cache_key(claims.token_id)
    # The user's permission set, whether its use was recorded lately, and the user's rate
    # limit come along in the same round trip.
    gate_key = api_token_use_gate_key(claims.token_id)
    counters = [throttle.user_counter(claims.user_id)] if throttle else []
    found, counts = cache_get_many_and_count(
        [key, gate_key, *permission_cache_keys(claims.user_id)], counters
    )
    token = found.get(key)
    if not isinstance(token, ApiToken):
        token = (
            ApiToken.objects.select_related("user")
            .filter(pk=claims.token_id, user_id=claims.user_id)
            .first()
        )
        if token is None:
            raise InvalidToken("unknown token")
        cache.add(key, token, TOKEN_CACHE_TTL_SECONDS)
    if token.user_id != claims.user_id:
        raise InvalidToken("token belongs to another user")
    if token.revoked_at is not None:
        raise InvalidToken("revoked")
    if token.expires_at <= now:
        raise InvalidToken("expired")
    if not token.user.is_active:
        raise InvalidToken("user inactive")
    prime_permissions(token.user, found)
    token.use_recorded_recently = gate_key in found
    token.window_count = counts[0] if counts else None
    return token


TOKEN_STATUSES = ("active", "expired", "revoked")


def api_token_filter_status(queryset, status: str):
    """Tokens that are `active` (usable now), `expired` or `revoked`."""
    now = timezone.now()
    match status:
        case "active":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        case "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        case "revoked":
            return queryset.filter(revoked_at__isnull=False)
    raise ValueError(f"unknown token status {status!r}")


def api_token_status(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "active" if token.is_active_at(timezone.now()) else "expired"


ISSUE_OWN = "accounts.issue_own_apitoken"
ISSUE_ANY = "accounts.issue_any_apitoken"


def api_tokens_for(user):
    """Every token for those who may list them all (`accounts.view_apitoken`), otherwise
    the caller's own."""
    tokens = ApiToken.objects.select_related("user")
    if user.has_perm("accounts.view_apitoken"):
        return tokens
    return tokens.filter(user=user) if user.is_authenticated else tokens.none()


def may_issue_token(actor, *, for_user) -> bool:
    if for_user.pk == actor.pk:
        return actor.has_perm(ISSUE_OWN) or actor.has_perm(ISSUE_ANY)
    return actor.has_perm(ISSUE_ANY)
