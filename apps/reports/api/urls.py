from apps.platform.api.routes import api_path
from apps.reports.api import views

urlpatterns = [
    *api_path(
        "reports/resource-utilisation/",
        views.ResourceUtilisationView.as_view(),
        name="report-resource-utilisation",
    ),
    *api_path("reports/stock-daily/", views.StockDailyView.as_view(), name="report-stock-daily"),
    *api_path(
        "reports/order-throughput/",
        views.OrderThroughputView.as_view(),
        name="report-order-throughput",
    ),
]
