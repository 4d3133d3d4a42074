from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class UtcDateTimeField(serializers.DateTimeField):
    """Times leave the API in UTC, ISO 8601 with a `Z`, whatever the active time zone.

    (DRF's own field converts each value to the active zone first, which also costs a
    context lookup per value.)"""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class AwareDateTimeField(serializers.DateTimeField):
    """An input time must carry its UTC offset: the API never guesses a time zone."""

    default_error_messages = {"naive": _("Give the time with its UTC offset, e.g. 10:00:00Z.")}

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value.strip()) if isinstance(value, str) else None
        except ValueError:
            parsed = None  # well formed but impossible: the parent field says so
        if parsed is not None and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


# The largest id PostgreSQL's bigint holds: larger ones are refused as input, not a 500.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
