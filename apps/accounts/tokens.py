"""The wire format of API tokens: `fo_` + a payload signed with the portal's SECRET_KEY.

The signature rejects forged and tampered tokens without touching the database; the id
in the payload is then looked up so that revocation takes effect at once. Tokens use only
URL-safe characters and dots, so that they can travel as a websocket subprotocol; tokens
issued before that (with colons) are still read.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing

TOKEN_PREFIX = "fo_"  # noqa: S105  a marker, not a secret
_SALT = "fusionops.accounts.api-token"
_SEPARATOR = "."


class InvalidToken(Exception):
    """The token is malformed, forged, tampered with, expired, revoked or unknown."""


@dataclass(frozen=True)
class TokenClaims:
    token_id: str
    user_id: int
    expires_at: datetime


def encode_token(*, token_id, user_id: int, expires_at: datetime) -> str:
    payload = {"tid": str(token_id), "uid": user_id, "exp": int(expires_at.timestamp())}
    signer = signing.TimestampSigner(salt=_SALT, sep=_SEPARATOR)
    return TOKEN_PREFIX + signer.sign_object(payload, compress=False)


def decode_token(raw: str, *, now: datetime) -> TokenClaims:
    if not raw.startswith(TOKEN_PREFIX):
        raise InvalidToken("not a FusionOps token")
    try:
        signed = raw.removeprefix(TOKEN_PREFIX)
        if ":" in signed:  # issued before tokens became subprotocol-safe
            payload = signing.loads(signed, salt=_SALT)
        else:
            payload = signing.TimestampSigner(salt=_SALT, sep=_SEPARATOR).unsign_object(signed)
        claims = TokenClaims(
            token_id=str(payload["tid"]),
            user_id=int(payload["uid"]),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken("bad signature or payload") from exc
    if claims.expires_at <= now:
        raise InvalidToken("expired")
    return claims
