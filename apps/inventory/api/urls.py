from django.urls import path

from apps.inventory.api import views

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="item-list"),
    path("items/<int:pk>", views.ItemDetailView.as_view(), name="item-detail"),
    path("locations/", views.LocationListView.as_view(), name="location-list"),
    path("locations/<int:pk>", views.LocationDetailView.as_view(), name="location-detail"),
    path("stock/", views.StockLevelListView.as_view(), name="stock-list"),
    path("stock/thresholds", views.ThresholdsView.as_view(), name="stock-thresholds"),
    path("stock/receive", views.ReceiveView.as_view(), name="stock-receive"),
    path("stock/issue", views.IssueView.as_view(), name="stock-issue"),
    path("stock/adjust", views.AdjustView.as_view(), name="stock-adjust"),
    path("stock/transfer", views.TransferView.as_view(), name="stock-transfer"),
    path("stock/movements/", views.StockMovementListView.as_view(), name="stock-movements"),
    path("replenishments/", views.ReplenishmentListView.as_view(), name="replenishment-list"),
    path(
        "replenishments/<int:pk>/receive",
        views.ReplenishmentReceiveView.as_view(),
        name="replenishment-receive",
    ),
    path(
        "replenishments/<int:pk>/cancel",
        views.ReplenishmentCancelView.as_view(),
        name="replenishment-cancel",
    ),
]
