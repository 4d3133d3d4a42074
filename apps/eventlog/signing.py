"""Content hash and signature of an event.

The signature is an HMAC with a key derived from SECRET_KEY: someone who can write to the
database but does not hold the portal's secret cannot forge or alter an event unnoticed.
"""

import functools
import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings

_KEY_SALT = b"fusionops.audit.event-signature"
# Where the seal chain starts.
GENESIS = hashlib.sha256(b"fusionops audit chain").digest()

# The envelope fields an event's signature covers (seq and signature itself are not known
# or not part of it when signing; the seal's digest adds them).
SIGNED_FIELDS = (
    "id", "type", "version", "aggregate_type", "aggregate_id", "actor", "correlation_id",
    "causation_id", "occurred_at", "recorded_at", "payload",
)  # fmt: skip


def canonical(event: dict) -> bytes:
    """The bytes an event's signature and digest are computed over (stable JSON)."""
    document = {
        "id": str(event["id"]),
        "type": event["type"],
        "version": event["version"],
        "aggregate_type": event["aggregate_type"],
        "aggregate_id": event["aggregate_id"],
        "actor": event["actor"],
        "correlation_id": event["correlation_id"],
        "causation_id": str(event["causation_id"]) if event["causation_id"] else None,
        "occurred_at": event["occurred_at"].astimezone(UTC).isoformat(),
        "recorded_at": event["recorded_at"].astimezone(UTC).isoformat(),
        "payload": event["payload"],
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


@functools.lru_cache(maxsize=8)  # the secret and its fallbacks; signing runs on every write
def _key(secret: str) -> bytes:
    return hashlib.sha256(_KEY_SALT + secret.encode()).digest()


def sign_canonical(message: bytes) -> str:
    """The signature of an event in its canonical form."""
    return hmac.new(_key(settings.SECRET_KEY), message, hashlib.sha256).hexdigest()


def signature_valid(event: dict, signature: str) -> bool:
    """True if any current or fallback secret signed the event as it is now."""
    message = canonical(event)
    return any(
        hmac.compare_digest(hmac.new(_key(secret), message, hashlib.sha256).hexdigest(), signature)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def digest(event: dict, *, seq: int, signature: str) -> bytes:
    """The content hash the seal chains: the event, its number and its signature."""
    return hashlib.sha256(canonical(event) + f"|{seq}|{signature}".encode()).digest()


_CHAIN_SALT = b"fusionops.audit.chain"


def chain_link(previous: bytes, digest: bytes, *, secret: str | None = None) -> bytes:
    """The next link of the seal chain: keyed, so that someone who deletes an event and
    recomputes the rest of the chain without the portal's secret is found out."""
    key = hashlib.sha256(_CHAIN_SALT + (secret or settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, previous + digest, hashlib.sha256).digest()


def chain_link_valid(previous: bytes, digest: bytes, chain: bytes) -> bool:
    return any(
        hmac.compare_digest(chain_link(previous, digest, secret=secret), chain)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )
