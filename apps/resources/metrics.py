"""Bookings as Prometheus sees them (web's metrics port)."""

from prometheus_client import Counter

from apps.platform.metrics import start_at_zero

bookings = Counter(
    "fusionops_bookings",
    "Booking requests by outcome: booked (committed) or conflict (refused: in the way).",
    ["outcome"],
)
start_at_zero(bookings, ("booked", "conflict"))
