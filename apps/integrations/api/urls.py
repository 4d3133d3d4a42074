from django.urls import path

from apps.integrations.api import views

urlpatterns = [
    path(
        "webhooks/endpoints/",
        views.WebhookEndpointListView.as_view(),
        name="webhook-endpoint-list",
    ),
    path(
        "webhooks/endpoints/<int:pk>",
        views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhooks/endpoints/<int:pk>/rotate-secret",
        views.WebhookSecretRotateView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path("webhooks/endpoints/<int:pk>/test", views.WebhookTestView.as_view(), name="webhook-test"),
    path(
        "webhooks/endpoints/<int:pk>/replay",
        views.WebhookReplayView.as_view(),
        name="webhook-replay",
    ),
    path(
        "webhooks/endpoints/<int:pk>/deliveries",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
]
