from datetime import UTC

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


# The largest id PostgreSQL's bigint holds: larger ones are refused as input, not a 500.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
