"""The reports in the admin: read-only, filtered, charted (the filtered rows), exported (CSV,
XLSX; the selected rows as CSV), each saying when it was last refreshed."""

import csv

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from apps.platform.admin_mixins import ReadOnlyAdminMixin
from apps.reports import selectors
from apps.reports.models import OrderThroughput, ResourceUtilisation, StockDaily
from apps.resources.choices import ResourceKind


class _Echo:
    def write(self, value):
        return value


class ReportAdmin(ExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    report: str
    actions = ["export_csv"]
    show_full_result_count = False
    change_list_template = "admin/reports/change_list.html"
    # The chart above the list: `chart_fields` summed per `chart_x` (and `chart_group`).
    chart_kind = "bar"
    chart_x: str
    chart_fields: list[str]
    chart_group: str | None = None
    chart_unit = ""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(selectors.REPORTS[self.report].permission)

    def has_module_permission(self, request):
        # Nobody holds a permission of the reports app itself: the index lists it for who
        # may read one of its reports.
        return self.has_view_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        refreshed = selectors.report_refreshed_at(self.report)
        subtitle = (
            _("Refreshed at %(moment)s (UTC)") % {"moment": f"{refreshed:%Y-%m-%d %H:%M:%S}"}
            if refreshed
            else _("Not refreshed yet")
        )
        response = super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})
        if hasattr(response, "context_data") and "cl" in response.context_data:
            response.context_data["report_chart"] = self.chart(response.context_data["cl"].queryset)
        return response

    def chart(self, rows) -> dict:
        """The chart of the rows the list shows (its filters and search applied)."""
        keys, series = selectors.report_series(
            rows, x=self.chart_x, fields=self.chart_fields, group=self.chart_group
        )
        datasets = [
            {"label": self.dataset_label(field, group), "data": values}
            for (field, group), values in series.items()
        ]
        return {
            "key": self.report,
            "title": str(self.model._meta.verbose_name_plural).capitalize(),
            "kind": self.chart_kind,
            "labels": [self.x_label(key) for key in keys],
            "datasets": datasets,
            "unit": self.chart_unit,
        }

    def dataset_label(self, field: str, group) -> str:
        """The field's name, the group's, or both when there are several of each."""
        name = str(self.model._meta.get_field(field).verbose_name)
        if group is None:
            return name
        if len(self.chart_fields) == 1:
            return self.group_label(group)
        return f"{name} · {self.group_label(group)}"

    def x_label(self, value) -> str:
        return date_format(value, "D j M")

    def group_label(self, value) -> str:
        return str(value)

    @admin.action(description=_("Export the selected rows as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        fields = [name for name in self.list_display]
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(fields)
            for row in queryset.values_list(*[_column(self.model, f) for f in fields]):
                yield writer.writerow(row)

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.report}.csv"'
        return response


def _column(model, name: str) -> str:
    field = model._meta.get_field(name)
    return field.attname


@admin.register(ResourceUtilisation)
class ResourceUtilisationAdmin(ReportAdmin):
    report = "resource-utilisation"
    list_display = ["day", "kind", "booked_hours", "resources_booked", "resources", "utilisation"]
    list_filter = ["kind", "day"]
    date_hierarchy = "day"
    chart_kind = "line"
    chart_x = "day"
    chart_fields = ["booked_hours"]
    chart_group = "kind"

    def group_label(self, value) -> str:
        return str(dict(ResourceKind.choices).get(value, value))


@admin.register(StockDaily)
class StockDailyAdmin(ReportAdmin):
    report = "stock-daily"
    list_display = [
        "day", "item", "location", "movements", "quantity_in", "quantity_out",
        "on_hand_at_close", "value_at_close",
    ]  # fmt: skip
    list_filter = ["location", "day"]
    list_select_related = ["item", "location"]
    search_fields = ["item__sku"]
    date_hierarchy = "day"
    chart_x = "day"
    chart_fields = ["quantity_in", "quantity_out"]


@admin.register(OrderThroughput)
class OrderThroughputAdmin(ReportAdmin):
    report = "order-throughput"
    list_display = [
        "hour", "placed", "fulfilled", "rejected", "cancelled", "in_progress",
        "seconds_to_fulfil",
    ]  # fmt: skip
    date_hierarchy = "hour"
    chart_x = "hour"
    chart_fields = ["fulfilled", "rejected", "cancelled", "in_progress"]

    def x_label(self, value) -> str:
        return date_format(timezone.localtime(value), "j M H:i")
