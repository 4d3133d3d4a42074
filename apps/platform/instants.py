"""The one parser of the times the API is given: ISO 8601 with a UTC offset, returned in
UTC, so that whatever it accepts PostgreSQL stores (PostgreSQL refuses offsets beyond
±15:59, which Python takes; the year must stay within 1 to 9999 once in UTC)."""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _


class InvalidInstant(ValueError):
    """`str(error)` says what is wrong, in the caller's language."""


def parse_instant(text) -> datetime:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInstant(_("Give a time in ISO 8601, e.g. 2027-04-06T10:00:00Z."))
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:
        parsed = None  # well formed, impossible: the 31st of April
    if parsed is None:
        raise InvalidInstant(_("Give a time in ISO 8601, e.g. 2027-04-06T10:00:00Z."))
    if parsed.tzinfo is None:
        raise InvalidInstant(_("Give the time with its UTC offset, e.g. 10:00:00Z."))
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise InvalidInstant(_("The time is out of range (years 1 to 9999, in UTC).")) from None
