"""The audit log's keys, as the settings give them (AUDIT_SIGNING_KEYS, AUDIT_SIGNING_KEY_ID).

Read when the settings load, so this module imports nothing of Django's apps."""

import re

from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
# The id of the key of everything signed before the log had keys of its own: SECRET_KEY.
LEGACY_KEY_ID = "secret-key"
MIN_KEY_LENGTH = 40


def checked_audit_keys(keys, active: str, secret_key: str) -> tuple[dict[str, str], str]:
    """The keys and the active key's id, refused unless every key is strong, named well,
    and the active one is among them. Without keys, SECRET_KEY is the one (as before)."""
    if not isinstance(keys, dict) or not all(isinstance(key, str) for key in keys.values()):
        raise ImproperlyConfigured("AUDIT_SIGNING_KEYS is a JSON object of key id → key.")
    if not keys:
        keys, active = {LEGACY_KEY_ID: secret_key}, active or LEGACY_KEY_ID
    for key_id, key in keys.items():
        if not KEY_ID.match(key_id):
            raise ImproperlyConfigured(f"AUDIT_SIGNING_KEYS: {key_id!r} is not a key id.")
        # The legacy key is SECRET_KEY, which has checks of its own.
        if key_id != LEGACY_KEY_ID and (len(key) < MIN_KEY_LENGTH or len(set(key)) < 10):
            raise ImproperlyConfigured(
                f"AUDIT_SIGNING_KEYS: key {key_id!r} is too weak: use {MIN_KEY_LENGTH}+ random "
                "characters (manage.py audit_rotate_key makes one)."
            )
    if active not in keys:
        raise ImproperlyConfigured(
            "AUDIT_SIGNING_KEY_ID must name one of AUDIT_SIGNING_KEYS, the key that signs now."
        )
    return keys, active
