from apps.orders.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path("orders/", views.OrderListView.as_view(), name="order-list"),
    *api_path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    *api_path(
        "orders/<int:pk>/cancel/",
        views.OrderCancelView.as_view(),
        name="order-cancel",
        old="orders/<int:pk>/cancel",
    ),
    *api_path(
        "orders/<int:pk>/workflow/",
        views.OrderWorkflowView.as_view(),
        name="order-workflow",
        old="orders/<int:pk>/workflow",
    ),
]
