"""The admin home: the overview's figures as cards (each a link to the list it counts) and
charts, formatted for the viewer's language, for the page and for its live refresh."""

from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from apps.orders.choices import OrderStatus
from apps.reports.selectors import HomeOverview
from apps.resources.choices import ResourceKind


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    url: str
    alert: bool = False


@dataclass(frozen=True)
class Chart:
    """What charts.js draws: `datasets` are [{"label", "data"}], one value per label."""

    key: str
    title: str
    kind: str  # Chart.js's chart type
    labels: list[str]
    datasets: list[dict]
    unit: str = ""

    @classmethod
    def single(cls, key, title, kind, points: list[tuple[str, float]], unit: str = ""):
        labels = [label for label, _value in points]
        return cls(key, str(title), kind, labels, [{"label": str(title),
                   "data": [value for _label, value in points]}], unit)  # fmt: skip


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    cards: list[Card]
    charts: list[Chart]


def _changelist(model: str, **query) -> str:
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _percent(ratio: float) -> str:
    return _("%(value)s %%") % {"value": number_format(ratio * 100, 1)}


def _seconds(value: float) -> str:
    return _("%(value)s s") % {"value": number_format(value, 1, force_grouping=True)}


def _bookings(bookings: dict, today) -> Section:
    kinds = dict(ResourceKind.choices)
    return Section(
        "bookings",
        _("Bookings"),
        [
            Card(
                "bookings-today", _("Booked today"), _count(bookings["today"]),
                _changelist("resources.allocation", status__exact="booked", day=today.isoformat()),
            ),
            Card(
                "bookings-week", _("Booked this week"), _count(bookings["week"]),
                _changelist(
                    "resources.allocation", status__exact="booked",
                    week=bookings["week_starts"].isoformat(),
                ),
            ),
            Card(
                "utilisation-today", _("Utilisation today"),
                _percent(bookings["utilisation_today"]),
                _changelist(
                    "reports.resourceutilisation", day__gte=today.isoformat(),
                    day__lt=(today + timedelta(days=1)).isoformat(),
                ),
            ),
        ],
        [
            Chart.single(
                "bookings-per-day", _("Bookings per day"), "bar",
                [(date_format(day, "D j"), count) for day, count in bookings["per_day"]],
            ),
            Chart.single(
                "utilisation-by-kind", _("Utilisation today per resource kind"), "bar",
                [(str(kinds.get(kind, kind)), round(ratio * 100, 1))
                 for kind, ratio in bookings["utilisation_by_kind"]],
                unit="%",
            ),
        ],
    )  # fmt: skip


def _stock(stock: dict) -> Section:
    return Section(
        "stock",
        _("Stock"),
        [
            Card(
                "stock-below-reorder", _("Below the reorder point"),
                _count(stock["below_reorder"]),
                _changelist("inventory.stocklevel", below_reorder="yes"),
                alert=stock["below_reorder"] > 0,
            ),
            Card(
                "open-replenishments", _("Open replenishments"),
                _count(stock["open_replenishments"]),
                _changelist("inventory.replenishment", status__exact="open"),
            ),
            Card(
                "stock-value", _("Stock value"),
                number_format(stock["value"], 2, force_grouping=True),
                _changelist("reports.stockdaily"),
            ),
        ],
        [
            Chart.single(
                "stock-value-trend", _("Stock value at each day's close"), "line",
                [(date_format(day, "D j"), float(value)) for day, value in stock["value_trend"]],
            ),
        ],
    )  # fmt: skip


def _orders(orders: dict) -> Section:
    labels = dict(OrderStatus.choices)
    cards = [
        Card(
            f"orders-{status}",
            str(labels[status]).capitalize(),
            _count(count),
            _changelist("orders.order", status__exact=status),
            alert=status == OrderStatus.REJECTED and count > 0,
        )
        for status, count in orders["by_status"].items()
    ]
    zone = timezone.get_current_timezone()
    return Section(
        "orders",
        _("Orders"),
        cards,
        [
            Chart.single(
                "orders-per-hour",
                _("Orders placed per hour"),
                "bar",
                [
                    (date_format(hour.astimezone(zone), "H:i"), count)
                    for hour, count in orders["per_hour"]
                ],
            )
        ],
    )


def _operations(operations: dict) -> Section:
    return Section(
        "operations",
        _("The event log"),
        [
            Card(
                "outbox-lag", _("Outbox lag"), _seconds(operations["outbox_lag_seconds"]),
                _changelist("eventlog.delivery", status__exact="pending"),
                alert=operations["outbox_lag_seconds"] > 60,
            ),
            Card(
                "dead-letters", _("Dead letters"), _count(operations["dead_letters"]),
                _changelist("eventlog.delivery", status__exact="dead"),
                alert=operations["dead_letters"] > 0,
            ),
            Card(
                "seal-lag", _("Seal lag"), _seconds(operations["seal_lag_seconds"]),
                _changelist("eventlog.event"),
                alert=operations["seal_lag_seconds"] > 60,
            ),
        ],
        [],
    )  # fmt: skip


def home_sections(overview: HomeOverview) -> list[Section]:
    """What the viewer may see of `overview`, in the order the page shows it."""
    sections = []
    if overview.bookings is not None:
        sections.append(_bookings(overview.bookings, overview.today))
    if overview.stock is not None:
        sections.append(_stock(overview.stock))
    if overview.orders is not None:
        sections.append(_orders(overview.orders))
    if overview.operations is not None:
        sections.append(_operations(overview.operations))
    return sections


def home_payload(sections: list[Section]) -> dict:
    """The sections as the page's script reads them (initially and on every refresh)."""
    return {
        "cards": {card.key: asdict(card) for section in sections for card in section.cards},
        "charts": {chart.key: asdict(chart) for section in sections for chart in section.charts},
    }
