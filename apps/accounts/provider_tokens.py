"""Access tokens from the identity provider, checked without a network call per request.

JWTs (Keycloak's access tokens are JWTs) are verified locally against the provider's JWKS,
which is cached and fetched again when a token names a key id it does not hold (key
rotation); issuer, audience, expiry and algorithm are checked, only asymmetric algorithms
are accepted (never `none`, never HS*: the JWKS is public), and only access tokens (ID
tokens are refused). Opaque tokens are
checked at the userinfo endpoint, and the answer is cached briefly.
"""

import hashlib
import time

import jwt
import requests
import structlog
from django.conf import settings
from django.core.cache import cache

from apps.accounts.exceptions import ProviderUnavailable
from apps.accounts.provider import oidc_enabled, provider_setting
from apps.accounts.tokens import InvalidToken

logger = structlog.get_logger("fusionops.auth")

_jwks_clients: dict[tuple, jwt.PyJWKClient] = {}
_REFUSED = "refused"


def token_cache_key(raw: str, kind: str) -> str:
    return f"accounts:provider-token:{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _looks_like_jwt(raw: str) -> bool:
    return raw.count(".") == 2 and raw.startswith("ey")


def provider_token_claims(raw: str) -> tuple[dict, int]:
    """The verified claims of a provider access token and how long they may be trusted
    (seconds); InvalidToken if the token is not valid, ProviderUnavailable if that cannot
    be known right now."""
    if not oidc_enabled():
        raise InvalidToken("not a FusionOps token, and no identity provider is configured")
    if _looks_like_jwt(raw):
        claims = _jwt_claims(raw)
        ttl = int(claims["exp"] - time.time())
        return claims, max(1, min(ttl, settings.OIDC_USERINFO_CACHE_SECONDS))
    return _userinfo_claims(raw), settings.OIDC_USERINFO_CACHE_SECONDS


def _jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per key set: it caches the keys, and fetches them again for a key id it
    does not know, at most once per cooldown (unknown ids cannot make it hammer the
    provider)."""
    cooldown = settings.OIDC_JWKS_REFRESH_COOLDOWN_SECONDS
    key = (url, settings.OIDC_JWKS_CACHE_SECONDS, cooldown)
    client = _jwks_clients.get(key)
    if client is None:
        client = _jwks_clients[key] = jwt.PyJWKClient(
            url, cache_jwk_set=True, lifespan=settings.OIDC_JWKS_CACHE_SECONDS,
            timeout=settings.OIDC_TIMEOUT, cooldown_duration=cooldown,
        )  # fmt: skip
    return client


def _jwt_claims(raw: str) -> dict:
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed JWT") from exc
    algorithm = header.get("alg")
    if algorithm not in settings.OIDC_BEARER_ALGORITHMS:
        raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
    try:
        key = _jwks_client(provider_setting("OIDC_OP_JWKS_ENDPOINT")).get_signing_key_from_jwt(raw)
    except jwt.PyJWKClientConnectionError as exc:
        raise ProviderUnavailable("the identity provider's keys could not be fetched") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidToken("signed with a key the provider does not publish") from exc
    try:
        # The key object, not its raw key: it carries its own algorithm, so a header that
        # names another one (an EC algorithm with an RSA key id) is refused, not an error.
        claims = jwt.decode(
            raw,
            key,
            algorithms=[algorithm],
            audience=settings.OIDC_BEARER_AUDIENCE or settings.OIDC_RP_CLIENT_ID,
            issuer=provider_setting("OIDC_OP_ISSUER"),
            options={"require": ["exp", "iss", "aud", "sub"]},
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidToken(f"JWT refused: {exc}") from exc
    if not _is_access_token(header, claims):
        # An ID token is for the client that asked for it, to learn who signed in; it
        # carries the client id as audience, but grants nothing.
        raise InvalidToken("not an access token")
    return claims


def _is_access_token(header: dict, claims: dict) -> bool:
    """RFC 9068 access tokens say so in their header (`at+jwt`); Keycloak's in a `typ`
    claim (`Bearer`, where its ID tokens say `ID`)."""
    if str(header.get("typ", "")).lower() in ("at+jwt", "application/at+jwt"):
        return True
    return claims.get("typ") == "Bearer" and "nonce" not in claims


def _userinfo_claims(raw: str) -> dict:
    key = token_cache_key(raw, "userinfo")
    cached = cache.get(key)
    if cached == _REFUSED:
        raise InvalidToken("refused by the provider")
    if cached is not None:
        return cached
    try:
        response = requests.get(
            provider_setting("OIDC_OP_USER_ENDPOINT"),
            headers={"Authorization": f"Bearer {raw}"},
            timeout=settings.OIDC_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ProviderUnavailable("the identity provider did not answer") from exc
    if 400 <= response.status_code < 500:
        # Whatever the provider's reason (expired, revoked, malformed), the caller is not
        # authenticated: a 401 here, never an error of ours.
        cache.set(key, _REFUSED, settings.OIDC_USERINFO_CACHE_SECONDS)
        raise InvalidToken(f"refused by the provider ({response.status_code})")
    if response.status_code != 200:
        raise ProviderUnavailable(f"the identity provider answered {response.status_code}")
    try:
        claims = response.json()
    except ValueError as exc:
        raise ProviderUnavailable("the identity provider's answer was not JSON") from exc
    if not isinstance(claims, dict) or not claims.get("sub"):
        raise InvalidToken("the provider's answer names no subject")
    cache.set(key, claims, settings.OIDC_USERINFO_CACHE_SECONDS)
    return claims
