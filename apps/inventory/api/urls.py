from apps.inventory.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path("items/", views.ItemListView.as_view(), name="item-list"),
    *api_path(
        "items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail", old="items/<int:pk>"
    ),
    *api_path("locations/", views.LocationListView.as_view(), name="location-list"),
    *api_path(
        "locations/<int:pk>/",
        views.LocationDetailView.as_view(),
        name="location-detail",
        old="locations/<int:pk>",
    ),
    *api_path("stock/", views.StockLevelListView.as_view(), name="stock-list"),
    *api_path(
        "stock/thresholds/",
        views.ThresholdsView.as_view(),
        name="stock-thresholds",
        old="stock/thresholds",
    ),
    *api_path(
        "stock/receive/", views.ReceiveView.as_view(), name="stock-receive", old="stock/receive"
    ),
    *api_path("stock/issue/", views.IssueView.as_view(), name="stock-issue", old="stock/issue"),
    *api_path("stock/adjust/", views.AdjustView.as_view(), name="stock-adjust", old="stock/adjust"),
    *api_path(
        "stock/transfer/", views.TransferView.as_view(), name="stock-transfer", old="stock/transfer"
    ),
    *api_path("stock/movements/", views.StockMovementListView.as_view(), name="stock-movements"),
    *api_path("replenishments/", views.ReplenishmentListView.as_view(), name="replenishment-list"),
    *api_path(
        "replenishments/<int:pk>/receive/",
        views.ReplenishmentReceiveView.as_view(),
        name="replenishment-receive",
        old="replenishments/<int:pk>/receive",
    ),
    *api_path(
        "replenishments/<int:pk>/cancel/",
        views.ReplenishmentCancelView.as_view(),
        name="replenishment-cancel",
        old="replenishments/<int:pk>/cancel",
    ),
]
