from rest_framework import generics

from apps.platform.api.permissions import require_permissions
from apps.reports import selectors
from apps.reports.api import filters, serializers

REFRESHED_HEADER = "Report-Refreshed-At"


class _ReportView(generics.ListAPIView):
    """A report's rows, newest first; the `Report-Refreshed-At` header says when it was
    last refreshed (absent: never, the report is empty)."""

    report: str

    def get_queryset(self):
        return selectors.REPORTS[self.report].model.objects.all()

    def finalize_response(self, request, response, *args, **kwargs):
        refreshed = selectors.report_refreshed_at(self.report)
        if refreshed is not None and response.status_code == 200:
            response[REFRESHED_HEADER] = refreshed.isoformat()
        return super().finalize_response(request, response, *args, **kwargs)


class ResourceUtilisationView(_ReportView):
    """Booked hours per day (UTC) and resource kind, and the share of the kind's hours."""

    report = "resource-utilisation"
    serializer_class = serializers.ResourceUtilisationSerializer
    filterset_class = filters.ResourceUtilisationFilterSet
    permission_classes = [require_permissions("resources.view_allocation")]
    pagination_ordering = ("-day", "kind")
    ordering_fields = ("day", "utilisation")


class StockDailyView(_ReportView):
    """Movements per day (UTC), item and location; on hand and its value at the close."""

    report = "stock-daily"
    serializer_class = serializers.StockDailySerializer
    filterset_class = filters.StockDailyFilterSet
    permission_classes = [require_permissions("inventory.view_stockmovement")]
    pagination_ordering = ("-day", "item_id", "location_id")
    ordering_fields = ("day", "value_at_close")


class OrderThroughputView(_ReportView):
    """Orders placed per hour (UTC), by where their saga ended or stands."""

    report = "order-throughput"
    serializer_class = serializers.OrderThroughputSerializer
    filterset_class = filters.OrderThroughputFilterSet
    permission_classes = [require_permissions("orders.view_every_order")]
    pagination_ordering = ("-hour",)
    ordering_fields = ("hour", "placed")
