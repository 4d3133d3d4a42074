import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

SETTING_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*\Z"
SETTING_KEY_MAX_LENGTH = 128
SETTING_VALUE_MAX_BYTES = 64 * 1024

validate_setting_key = RegexValidator(
    SETTING_KEY_PATTERN,
    message=_("Use lowercase letters, digits, '_', '.' and '-', starting with a letter or digit."),
    code="invalid_key",
)


def contains_nul(value) -> bool:
    """PostgreSQL text and JSON cannot hold the NUL character (nor can a key)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def validate_no_nul(value) -> None:
    if contains_nul(value):
        raise ValidationError(_("Text cannot contain the NUL character (\\u0000)."), code="nul")


def setting_value_size(value) -> int:
    """Size of the value as compact UTF-8 JSON, the measure the 64 KiB limit applies to."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def validate_setting_value(value) -> None:
    if value is None:
        raise ValidationError(
            _("A setting's value cannot be null; delete the setting instead."), code="null"
        )
    validate_no_nul(value)
    size = setting_value_size(value)
    if size > SETTING_VALUE_MAX_BYTES:
        raise ValidationError(
            _("The value is %(size)d bytes of JSON; the limit is %(limit)d."),
            code="too_large",
            params={"size": size, "limit": SETTING_VALUE_MAX_BYTES},
        )


def is_setting_key(key: str) -> bool:
    return 0 < len(key) <= SETTING_KEY_MAX_LENGTH and re.match(SETTING_KEY_PATTERN, key) is not None


def validate_setting(key: str, value) -> None:
    """Check a key and value together, reporting both fields' errors at once."""
    errors = {}
    key_errors = []
    if not key or len(key) > SETTING_KEY_MAX_LENGTH or contains_nul(key):
        key_errors.append(
            _("A key has 1 to %(limit)d characters.") % {"limit": SETTING_KEY_MAX_LENGTH}
        )
    if not key_errors:
        try:
            validate_setting_key(key)
        except ValidationError as exc:
            key_errors.extend(exc.messages)
    if key_errors:
        errors["key"] = key_errors
    try:
        validate_setting_value(value)
    except ValidationError as exc:
        errors["value"] = exc.messages
    if errors:
        raise ValidationError(errors)
