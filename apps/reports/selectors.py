"""Reads of the reports app: the reports there are, when each was refreshed, and the
admin home's live figures."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from apps.eventlog.selectors import dead_letter_count, outbox_lag_seconds, seal_lag_seconds
from apps.orders.choices import TERMINAL, OrderStatus
from apps.orders.selectors import order_list
from apps.reports.models import OrderThroughput, ReportRefresh, ResourceUtilisation, StockDaily


@dataclass(frozen=True)
class Report:
    name: str
    view: str
    model: type
    permission: str  # what reading it takes (what reading its source takes)


REPORTS = {
    report.name: report
    for report in (
        Report(
            "resource-utilisation", "reports_resource_utilisation", ResourceUtilisation,
            "resources.view_allocation",
        ),
        Report("stock-daily", "reports_stock_daily", StockDaily, "inventory.view_stockmovement"),
        Report(
            "order-throughput", "reports_order_throughput", OrderThroughput,
            "orders.view_every_order",
        ),
    )
}  # fmt: skip


def report_refreshed_at(name: str):
    """When report `name` was last refreshed (None: never, it is empty)."""
    refresh = ReportRefresh.objects.filter(name=name).first()
    return refresh.refreshed_at if refresh else None


# The admin home: live figures (read from the tables, not the reports, so they are never
# older than the page), each section only for who may read its source.

HOME_DAYS = 14  # the charts' span: the last week and the next (bookings), the last 14 days
HOME_HOURS = 24


@dataclass(frozen=True)
class HomeOverview:
    today: date
    bookings: dict | None = None
    stock: dict | None = None
    orders: dict | None = None
    operations: dict | None = None


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _day_bounds(days: list[date], zone) -> tuple[list[datetime], list[datetime]]:
    """Each day's [midnight, next midnight) in `zone` (a DST day is 23 or 25 hours)."""
    return [_midnight(d, zone) for d in days], [
        _midnight(d + timedelta(days=1), zone) for d in days
    ]


def home_overview(user, *, today: date | None = None, zone=None) -> HomeOverview:
    """What the admin home shows `user`, as of now, with days in `zone` (the current one)."""
    zone = zone or timezone.get_current_timezone()
    today = today or timezone.localdate(timezone=zone)
    return HomeOverview(
        today=today,
        bookings=_bookings(today, zone) if user.has_perm("resources.view_allocation") else None,
        stock=_stock(today, zone) if user.has_perm("inventory.view_stocklevel") else None,
        orders=_orders(user) if user.has_perm("orders.view_order") else None,
        operations=_operations() if user.has_perm("eventlog.view_delivery") else None,
    )


def _bookings(today: date, zone) -> dict:
    monday = today - timedelta(days=today.weekday())
    days = [
        today - timedelta(days=HOME_DAYS // 2 - 1) + timedelta(days=n) for n in range(HOME_DAYS)
    ]
    day_starts, day_ends = _day_bounds(days, zone)
    today_start, today_end = _midnight(today, zone), _midnight(today + timedelta(days=1), zone)
    week_start, week_end = _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE period && tstzrange(%(today_start)s, %(today_end)s)),
                   count(*)
            FROM resources_allocation
            WHERE status = 'booked' AND period && tstzrange(%(week_start)s, %(week_end)s)
            """,
            {"today_start": today_start, "today_end": today_end,
             "week_start": week_start, "week_end": week_end},
        )  # fmt: skip
        booked_today, booked_this_week = cursor.fetchone()
        cursor.execute(
            """
            SELECT d.starts, count(a.id)
            FROM unnest(%s::timestamptz[], %s::timestamptz[]) AS d(starts, ends)
            LEFT JOIN resources_allocation a
              ON a.status = 'booked' AND a.period && tstzrange(d.starts, d.ends)
            GROUP BY d.starts ORDER BY d.starts
            """,
            [day_starts, day_ends],
        )
        per_day = [count for _starts, count in cursor.fetchall()]
        # Today's booked hours per kind against the kind's active resources' 24-hour days,
        # as the utilisation report counts them.
        cursor.execute(
            """
            WITH kinds AS (
                SELECT kind, count(*) AS resources FROM resources_resource
                WHERE active GROUP BY kind
            ), booked AS (
                SELECT r.kind,
                       sum(extract(epoch FROM upper(a.period * tstzrange(%(starts)s, %(ends)s))
                                            - lower(a.period * tstzrange(%(starts)s, %(ends)s))
                       )) / 3600 AS hours
                FROM resources_allocation a JOIN resources_resource r ON r.id = a.resource_id
                WHERE a.status = 'booked' AND a.period && tstzrange(%(starts)s, %(ends)s)
                GROUP BY r.kind
            )
            SELECT kinds.kind, kinds.resources, coalesce(booked.hours, 0)
            FROM kinds LEFT JOIN booked USING (kind) ORDER BY kinds.kind
            """,
            {"starts": today_start, "ends": today_end},
        )
        kinds = cursor.fetchall()
    # In UTC: Python subtracts two times of one zone as wall-clock times.
    day_hours = (today_end.astimezone(UTC) - today_start.astimezone(UTC)).total_seconds() / 3600
    resources = sum(count for _kind, count, _hours in kinds)
    hours = sum(float(booked) for _kind, _count, booked in kinds)
    return {
        "today": booked_today,
        "week": booked_this_week,
        "week_starts": monday,
        "utilisation_today": hours / (resources * day_hours) if resources else 0.0,
        "per_day": list(zip(days, per_day, strict=True)),
        "utilisation_by_kind": [
            (kind, float(booked) / (count * day_hours)) for kind, count, booked in kinds
        ],
    }


def _stock(today: date, zone) -> dict:
    days = [today - timedelta(days=HOME_DAYS - 1 - n) for n in range(HOME_DAYS)]
    day_starts, day_ends = _day_bounds(days, zone)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM inventory_stocklevel
                    WHERE reorder_point > 0 AND reorder_point > on_hand - reserved),
                   (SELECT count(*) FROM inventory_replenishment WHERE status = 'open'),
                   (SELECT coalesce(sum(l.on_hand * i.unit_price), 0)
                    FROM inventory_stocklevel l JOIN inventory_item i ON i.id = l.item_id)
            """
        )
        below_reorder, open_replenishments, value_now = cursor.fetchone()
        # What each day's movements changed the stock's value by (at today's prices).
        cursor.execute(
            """
            SELECT d.starts, coalesce(sum(m.on_hand_delta * i.unit_price), 0)
            FROM unnest(%s::timestamptz[], %s::timestamptz[]) AS d(starts, ends)
            LEFT JOIN inventory_stockmovement m
              ON m.created_at >= d.starts AND m.created_at < d.ends
            LEFT JOIN inventory_item i ON i.id = m.item_id
            GROUP BY d.starts ORDER BY d.starts
            """,
            [day_starts, day_ends],
        )
        changes = [change for _starts, change in cursor.fetchall()]
    # The value at each day's close: today's is now; each earlier one is the next day's
    # close less what that next day changed.
    closes = [value_now]
    for change in reversed(changes[1:]):
        closes.append(closes[-1] - change)
    return {
        "below_reorder": below_reorder,
        "open_replenishments": open_replenishments,
        "value": value_now,
        "value_trend": list(zip(days, reversed(closes), strict=True)),
    }


def _orders(user) -> dict:
    orders = order_list(user).order_by()
    counted = dict(orders.values_list("status").annotate(count=Count("id")))
    by_status = {status: counted.get(status, 0) for status in OrderStatus.values}
    this_hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    hours = [this_hour - timedelta(hours=HOME_HOURS - 1 - n) for n in range(HOME_HOURS)]
    placed = dict(
        orders.filter(created_at__gte=hours[0])
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values_list("hour")
        .annotate(count=Count("id"))
    )
    return {
        "by_status": by_status,
        "open": sum(count for status, count in by_status.items() if status not in TERMINAL),
        "per_hour": [(hour, placed.get(hour, 0)) for hour in hours],
    }


def _operations() -> dict:
    return {
        "outbox_lag_seconds": outbox_lag_seconds(),
        "dead_letters": dead_letter_count(),
        "seal_lag_seconds": seal_lag_seconds(),
    }


def report_series(rows, *, x: str, fields: list[str], group: str | None = None, points: int = 60):
    """The chart of a report's filtered rows: the latest `points` values of `x`, oldest
    first, and per field (per field and value of `group`, if given) the sum at each."""
    keys = list(rows.order_by().values_list(x, flat=True).distinct().order_by(f"-{x}")[:points])
    keys.reverse()
    if not keys:
        return [], {}
    columns = [x] + ([group] if group else [])
    sums = rows.order_by().filter(**{f"{x}__in": keys}).values(*columns).annotate(
        **{f"total_{field}": Sum(field) for field in fields}
    )  # fmt: skip
    position = {key: index for index, key in enumerate(keys)}
    series: dict[tuple, list[float]] = {}
    for row in sums:
        for field in fields:
            name = (field, row[group]) if group else (field, None)
            values = series.setdefault(name, [0.0] * len(keys))
            values[position[row[x]]] = float(row[f"total_{field}"] or 0)
    return keys, dict(sorted(series.items(), key=lambda item: (item[0][0], str(item[0][1]))))
