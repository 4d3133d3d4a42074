"""What the live operations board shows when it is first drawn (live messages follow)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from apps.inventory.selectors import stock_level_list
from apps.orders.selectors import order_list
from apps.realtime import topics
from apps.realtime.selectors import head_position
from apps.resources.models import Project, Resource
from apps.resources.selectors import bookings_between
from apps.resources.timeline import timeline_bar

RECENT_ORDERS = 20
# Percent of the day: a short booking stays visible.
MIN_BAR_WIDTH = 0.5


@dataclass
class Board:
    position: int
    day_start: datetime
    day_end: datetime
    topics: list[str]
    lanes: list[dict] = field(default_factory=list)
    low_stock: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    projects: dict[int, str] = field(default_factory=dict)


def board_snapshot(*, user, roles: frozenset[str]) -> Board:
    """Today's (UTC) bookings per resource, stock below its reorder point and the latest
    orders, as far as the user's roles allow; `position` is read first, so whatever commits
    while the rest is read is replayed to the board once its socket subscribes."""
    position = head_position()
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    readable = [
        topic
        for topic in (topics.ALLOCATIONS, topics.INVENTORY, topics.ORDERS)
        if topics.may_read(roles, superuser=user.is_superuser, topic=topic)
    ]
    board = Board(position=position, day_start=start, day_end=end, topics=readable)
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
        board.lanes = list(lanes.values())
        board.projects = dict(Project.objects.values_list("pk", "code"))
    if topics.INVENTORY in readable:
        board.low_stock = list(stock_level_list(below_reorder=True).order_by("item__sku"))
    if topics.ORDERS in readable:
        board.orders = list(order_list(user).order_by("-created_at")[:RECENT_ORDERS])
    return board
