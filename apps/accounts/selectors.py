from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.accounts.tokens import InvalidToken, decode_token


def api_token_authenticate(raw: str) -> ApiToken:
    """The active token (with its user) that `raw` stands for, or InvalidToken."""
    now = timezone.now()
    claims = decode_token(raw, now=now)
    token = (
        ApiToken.objects.select_related("user")
        .filter(pk=claims.token_id, user_id=claims.user_id)
        .first()
    )
    if token is None:
        raise InvalidToken("unknown token")
    if token.revoked_at is not None:
        raise InvalidToken("revoked")
    if token.expires_at <= now:
        raise InvalidToken("expired")
    if not token.user.is_active:
        raise InvalidToken("user inactive")
    return token
