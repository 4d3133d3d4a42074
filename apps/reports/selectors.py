"""Reads of the reports app: the reports there are, and when each was refreshed."""

from dataclasses import dataclass

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
