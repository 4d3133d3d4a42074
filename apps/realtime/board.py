"""What the live operations board shows when it is first drawn (live messages follow)."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from apps.inventory.selectors import stock_level_list
from apps.orders.selectors import order_list
from apps.realtime import topics
from apps.realtime.selectors import head_position
from apps.resources.models import Project, Resource, is_time_zone
from apps.resources.selectors import bookings_between
from apps.resources.timeline import timeline_bar

RECENT_ORDERS = 20
# Percent of the period: a short booking stays visible.
MIN_BAR_WIDTH = 0.5


SPANS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Period:
    """What the board draws: a day or a week (from Monday), in the viewer's time zone."""

    first: date
    span: str
    zone: zoneinfo.ZoneInfo

    @classmethod
    def of(cls, *, day: str | None, span: str | None, zone: str | None) -> "Period":
        """From the page's query: anything missing or malformed is today, a day, UTC."""
        tz = zoneinfo.ZoneInfo(zone if zone and is_time_zone(zone) else "UTC")
        span = span if span in SPANS else "day"
        try:
            first = date.fromisoformat(day or "")
            if not date(1900, 1, 1) <= first <= date(9000, 1, 1):
                raise ValueError(first)
        except ValueError:
            first = timezone.localdate(timezone=tz)
        if span == "week":
            first -= timedelta(days=first.weekday())
        return cls(first, span, tz)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(SPANS[self.span])]

    def midnight(self, day: date) -> datetime:
        # Local midnights, in UTC for the arithmetic: a DST day lasts 23 or 25 hours.
        return datetime.combine(day, datetime.min.time(), tzinfo=self.zone).astimezone(UTC)

    @property
    def starts_at(self) -> datetime:
        return self.midnight(self.first)

    @property
    def ends_at(self) -> datetime:
        return self.midnight(self.first + timedelta(days=SPANS[self.span]))

    def step(self, direction: int) -> date:
        return self.first + timedelta(days=direction * SPANS[self.span])

    def ticks(self) -> list[dict]:
        """Where each day (a week) or every sixth hour (a day) starts, in percent."""
        length = (self.ends_at - self.starts_at).total_seconds()
        if self.span == "week":
            marks = [(self.midnight(day), f"{day:%a %d}") for day in self.days]
        else:
            marks = [
                (self.starts_at + timedelta(hours=hour), f"{hour:02d}:00")
                for hour in (0, 6, 12, 18)
            ]
        return [
            {
                "left": round((moment - self.starts_at).total_seconds() / length * 100, 3),
                "label": label,
            }
            for moment, label in marks
        ]


@dataclass
class Board:
    position: int
    period: Period
    topics: list[str]
    lanes: list[dict] = field(default_factory=list)
    low_stock: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    projects: dict[int, str] = field(default_factory=dict)


def board_snapshot(*, user, roles: frozenset[str], period: Period) -> Board:
    """The period's bookings per resource (in the viewer's time zone; each resource's own
    zone is named where it differs), stock below its reorder point and the latest orders,
    as far as the user's roles allow; `position` is read first, so whatever commits while
    the rest is read is replayed to the board once its socket subscribes."""
    position = head_position()
    start, end = period.starts_at, period.ends_at
    readable = [
        topic
        for topic in (topics.ALLOCATIONS, topics.INVENTORY, topics.ORDERS)
        if topics.may_read(roles, superuser=user.is_superuser, topic=topic)
    ]
    board = Board(position=position, period=period, topics=readable)
    if topics.ALLOCATIONS in readable:
        lanes = {
            resource.pk: {"resource": resource, "bars": []}
            for resource in Resource.objects.filter(active=True).order_by("name")
        }
        for allocation in bookings_between(starts_at=start, ends_at=end):
            lane = lanes.setdefault(
                allocation.resource_id, {"resource": allocation.resource, "bars": []}
            )
            lane["bars"].append(
                timeline_bar(allocation, starts_at=start, ends_at=end, min_width=MIN_BAR_WIDTH)
            )
        for lane in lanes.values():
            zone = lane["resource"].timezone
            lane["own_zone"] = zone if zone != str(period.zone) else ""
        board.lanes = list(lanes.values())
        board.projects = dict(Project.objects.values_list("pk", "code"))
    if topics.INVENTORY in readable:
        board.low_stock = list(stock_level_list(below_reorder=True).order_by("item__sku"))
    if topics.ORDERS in readable:
        board.orders = list(order_list(user).order_by("-created_at")[:RECENT_ORDERS])
    return board
