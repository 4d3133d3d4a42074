"""Content hash and signature of an event.

The signature is an HMAC with an audit key of its own (AUDIT_SIGNING_KEYS), whose id is
stored with the event: someone who can write to the database but does not hold the key
cannot forge or alter an event unnoticed. Keys rotate: the active one signs, older ones
still verify what they signed, and SECRET_KEY (sessions, tokens) rotates on its own.
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


@functools.lru_cache(maxsize=16)  # a few keys; signing runs on every write
def _key(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode()).digest()


def active_key_id() -> str:
    """The audit key that signs and chains what is written now (AUDIT_SIGNING_KEY_ID)."""
    return settings.AUDIT_SIGNING_KEY_ID


def key_held(key_id: str) -> bool:
    return key_id in settings.AUDIT_SIGNING_KEYS


def _secret(key_id: str) -> str | None:
    return settings.AUDIT_SIGNING_KEYS.get(key_id)


def _mac(salt: bytes, key_id: str, message: bytes) -> bytes | None:
    secret = _secret(key_id)
    if secret is None:
        return None  # a key this deployment does not hold: nothing verifies under it
    return hmac.new(_key(salt, secret), message, hashlib.sha256).digest()


def sign_canonical(message: bytes) -> tuple[str, str]:
    """The active key's id and its signature of an event in its canonical form."""
    key_id = active_key_id()
    return key_id, _mac(_KEY_SALT, key_id, message).hex()


def signature_valid(event: dict, signature: str, key_id: str) -> bool:
    """Whether key `key_id` signed the event as it is now."""
    expected = _mac(_KEY_SALT, key_id, canonical(event))
    return expected is not None and hmac.compare_digest(expected.hex(), signature)


def digest(event: dict, *, seq: int, signature: str) -> bytes:
    """The content hash the seal chains: the event, its number and its signature."""
    return hashlib.sha256(canonical(event) + f"|{seq}|{signature}".encode()).digest()


_CHAIN_SALT = b"fusionops.audit.chain"


def chain_link(previous: bytes, digest: bytes, *, key_id: str) -> bytes:
    """The next link of the seal chain: keyed, so that someone who deletes an event and
    recomputes the rest of the chain without the audit key is found out."""
    return _mac(_CHAIN_SALT, key_id, previous + digest)


def chain_link_valid(previous: bytes, digest: bytes, chain: bytes, *, key_id: str) -> bool:
    expected = _mac(_CHAIN_SALT, key_id, previous + digest)
    return expected is not None and hmac.compare_digest(expected, chain)


_CHECKPOINT_SALT = b"fusionops.audit.checkpoint"


def sign_checkpoint(document: bytes) -> tuple[str, str]:
    """The active key's id and its signature of a checkpoint of the chain's head."""
    key_id = active_key_id()
    return key_id, _mac(_CHECKPOINT_SALT, key_id, document).hex()


def checkpoint_signature_valid(document: bytes, signature: str, key_id: str) -> bool:
    expected = _mac(_CHECKPOINT_SALT, key_id, document)
    return expected is not None and hmac.compare_digest(expected.hex(), signature)
