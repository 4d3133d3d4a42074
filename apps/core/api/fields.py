from datetime import UTC

from rest_framework import serializers


class UtcDateTimeField(serializers.DateTimeField):
    """Times leave the API in UTC, ISO 8601 with a `Z`, whatever the active time zone.

    (DRF's own field converts each value to the active zone first, which also costs a
    context lookup per value.)"""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
