from django.urls import path

from apps.reports.api import views

urlpatterns = [
    path(
        "reports/resource-utilisation/",
        views.ResourceUtilisationView.as_view(),
        name="report-resource-utilisation",
    ),
    path("reports/stock-daily/", views.StockDailyView.as_view(), name="report-stock-daily"),
    path(
        "reports/order-throughput/",
        views.OrderThroughputView.as_view(),
        name="report-order-throughput",
    ),
]
