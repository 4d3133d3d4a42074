from django.urls import path

from apps.orders.api import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/workflow", views.OrderWorkflowView.as_view(), name="order-workflow"),
]
