"""Bookings drawn as bars over a window of time (the admin's timeline, the live board)."""

from dataclasses import dataclass
from datetime import datetime

from apps.resources.models import Allocation


@dataclass(frozen=True)
class Bar:
    allocation: Allocation
    starts_at: datetime  # the part of the booking inside the window
    ends_at: datetime
    left: float  # percent of the window
    width: float


def timeline_bar(
    allocation: Allocation, *, starts_at: datetime, ends_at: datetime, min_width: float = 0.0
) -> Bar:
    """The bar of a booking on a timeline from `starts_at` to `ends_at`: clipped to the
    window, and at least `min_width` percent wide so that a short booking stays visible."""
    length = (ends_at - starts_at).total_seconds()
    lower = max(allocation.period.lower, starts_at)
    upper = max(min(allocation.period.upper, ends_at), lower)
    left = round((lower - starts_at).total_seconds() / length * 100, 3)
    width = round((upper - lower).total_seconds() / length * 100, 3)
    return Bar(allocation, lower, upper, left, max(width, min_width))
