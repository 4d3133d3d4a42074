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


JSON_MAX_DEPTH = 64


def _unstorable(text: str) -> bool:
    # PostgreSQL text cannot hold NUL; UTF-8 cannot encode a lone surrogate.
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def contains_unstorable_text(value) -> bool:
    """Whether any string (or key) in `value` cannot be stored as PostgreSQL text: a NUL
    character or a lone surrogate. Walks iteratively: depth is checked separately."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _unstorable(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def json_depth_exceeds(value, limit: int = JSON_MAX_DEPTH) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list | tuple):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def validate_storable_json(value) -> None:
    """JSON that PostgreSQL can store and the portal can walk: nesting at most 64 deep,
    no NUL character, no lone surrogate."""
    if json_depth_exceeds(value):
        raise ValidationError(
            _("JSON may nest at most %(limit)d levels deep.") % {"limit": JSON_MAX_DEPTH},
            code="too_deep",
        )
    if contains_unstorable_text(value):
        raise ValidationError(
            _("Text cannot contain the NUL character (\\u0000) or a lone surrogate."),
            code="unstorable_text",
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
