"""The reports in the admin: read-only, filtered, exported (CSV, XLSX; the selected rows as
CSV), each saying when it was last refreshed."""

import csv

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from apps.platform.admin_mixins import ReadOnlyAdminMixin
from apps.reports import selectors
from apps.reports.models import OrderThroughput, ResourceUtilisation, StockDaily


class _Echo:
    def write(self, value):
        return value


class ReportAdmin(ExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    report: str
    actions = ["export_csv"]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(selectors.REPORTS[self.report].permission)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        refreshed = selectors.report_refreshed_at(self.report)
        subtitle = (
            _("Refreshed at %(moment)s (UTC)") % {"moment": f"{refreshed:%Y-%m-%d %H:%M:%S}"}
            if refreshed
            else _("Not refreshed yet")
        )
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})

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


@admin.register(OrderThroughput)
class OrderThroughputAdmin(ReportAdmin):
    report = "order-throughput"
    list_display = [
        "hour", "placed", "fulfilled", "rejected", "cancelled", "in_progress",
        "seconds_to_fulfil",
    ]  # fmt: skip
    date_hierarchy = "hour"
