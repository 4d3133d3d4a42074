import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from apps.platform.validators import contains_unstorable_text, validate_storable_json

SETTING_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*\Z"
SETTING_KEY_MAX_LENGTH = 128
SETTING_VALUE_MAX_BYTES = 64 * 1024

validate_setting_key = RegexValidator(
    SETTING_KEY_PATTERN,
    message=_("Use lowercase letters, digits, '_', '.' and '-', starting with a letter or digit."),
    code="invalid_key",
)


def setting_value_size(value) -> int:
    """Size of the value as compact UTF-8 JSON, the measure the 64 KiB limit applies to."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def validate_setting_value(value) -> None:
    if value is None:
        raise ValidationError(
            _("A setting's value cannot be null; delete the setting instead."), code="null"
        )
    validate_storable_json(value)
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
    if not key or len(key) > SETTING_KEY_MAX_LENGTH or contains_unstorable_text(key):
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
