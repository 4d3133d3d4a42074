import re
from datetime import timedelta

from django.utils.translation import gettext as _

_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """A duration such as `90s`, `30m`, `2h`, `7d` or `4w` (command-line options)."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(_("%(text)r is not a duration such as 30m, 2h or 7d.") % {"text": text})
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(amount)})
