from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
