from django.core.cache import cache
from django.utils import timezone

from apps.accounts.backends import permission_cache_keys, prime_permissions
from apps.accounts.models import ApiToken
from apps.accounts.tokens import InvalidToken, decode_token

# A verified token and its user are cached briefly, so authentication needs no query.
# Any change of a token or its user replaces the entry with a tombstone that outlives every
# in-flight request; entries are only ever added (never overwritten), so a request that
# read the old state cannot cache it over the tombstone.
TOKEN_CACHE_TTL_SECONDS = 60
TOKEN_TOMBSTONE_TTL_SECONDS = 2 * TOKEN_CACHE_TTL_SECONDS
TOKEN_TOMBSTONE = "changed"  # noqa: S105  a marker, not a secret


def api_token_cache_key(token_id) -> str:
    return f"accounts:api-token:{token_id}"


def api_token_authenticate(raw: str) -> ApiToken:
    """The active token (with its user) that `raw` stands for, or InvalidToken."""
    now = timezone.now()
    claims = decode_token(raw, now=now)
    key = api_token_cache_key(claims.token_id)
    # The user's permission set comes along in the same round trip.
    found = cache.get_many([key, *permission_cache_keys(claims.user_id)])
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
    return token
