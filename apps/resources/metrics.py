"""Bookings as Prometheus sees them (web's metrics port)."""

from prometheus_client import Counter

bookings = Counter(
    "fusionops_bookings",
    "Booking requests by outcome: booked (committed) or conflict (refused: in the way).",
    ["outcome"],
)
# Every label value known in advance is exported from the start (at 0), so that rates and
# alerts see a series before the first occurrence.
for _value in ("booked", "conflict"):
    bookings.labels(_value)
