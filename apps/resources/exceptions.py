from django.utils.translation import gettext_lazy as _

from apps.platform.exceptions import Conflict


class AllocationConflict(Conflict):
    """The requested periods overlap existing bookings; `conflicts` lists every one."""

    problem_type = "allocation-conflict"
    title = _("The resource is already booked in that period.")

    def __init__(self, detail: str, *, conflicts: list[dict]):
        super().__init__(detail, extra={"conflicts": conflicts})
        self.conflicts = conflicts


class BookingContention(Conflict):
    """Concurrent bookings kept deadlocking this one; trying again will most likely work."""

    problem_type = "booking-contention"
    title = _("Concurrent bookings got in the way.")
