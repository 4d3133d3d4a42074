import re
from datetime import UTC

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.platform.instants import InvalidInstant, parse_instant


class UtcDateTimeField(serializers.DateTimeField):
    """Times leave the API in UTC, ISO 8601 with a `Z`, whatever the active time zone.

    (DRF's own field converts each value to the active zone first, which also costs a
    context lookup per value.)"""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class AwareDateTimeField(serializers.DateTimeField):
    """An input time must carry its UTC offset (the API never guesses a time zone); it is
    read by the one parser of times (apps.platform.instants) and kept in UTC."""

    def to_internal_value(self, value):
        try:
            return parse_instant(value)
        except InvalidInstant as error:
            raise serializers.ValidationError(str(error), code="invalid") from None


@extend_schema_field(
    {
        "anyOf": [
            {"type": "object", "additionalProperties": True},
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "number"},
            {"type": "boolean"},
        ],
        "description": "Any JSON value but null.",
    }
)
class JsonValueField(serializers.JSONField):
    """Any JSON value but null (null is refused by the field, as the schema says)."""


@extend_schema_field({"type": "object", "additionalProperties": True})
class JsonObjectField(serializers.JSONField):
    """A JSON object (not a list, text, number or null)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give a JSON object."))
        return super().to_internal_value(data)


WALL_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


@extend_schema_field({"type": "string", "pattern": WALL_CLOCK.pattern, "example": "08:00"})
class WallClockField(serializers.TimeField):
    """A time of day as a clock shows it, `HH:MM` (or `HH:MM:SS`), in the zone of whatever
    it belongs to: no offset, no fractions. Sent back as `HH:MM`."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not WALL_CLOCK.fullmatch(value):
            raise serializers.ValidationError(_("Give a time of day as HH:MM, e.g. 08:00."))
        return super().to_internal_value(value)


# The largest id PostgreSQL's bigint holds: larger ones are refused as input, not a 500.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class IdListField(serializers.RegexField):
    """Ids as comma-separated numbers (`4,8,15`), exactly what its schema pattern says: no
    spaces, no empty parts, at most `max_ids`; read as the sorted distinct ids."""

    def __init__(self, *, max_ids: int, **kwargs):
        pattern = rf"^[1-9][0-9]{{0,17}}(,[1-9][0-9]{{0,17}}){{0,{max_ids - 1}}}$"
        message = _("Give at most {count} ids as comma-separated numbers, e.g. 4,8,15.")
        kwargs.setdefault("error_messages", {"invalid": format_lazy(message, count=max_ids)})
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(pattern, **kwargs)

    def run_validation(self, data=serializers.empty):
        # The pattern is checked on the text (validators run after to_internal_value).
        text = super().run_validation(data)
        return text if text in (None, "") else sorted({int(part) for part in text.split(",")})
