from apps.integrations.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path(
        "webhooks/endpoints/",
        views.WebhookEndpointListView.as_view(),
        name="webhook-endpoint-list",
    ),
    *api_path(
        "webhooks/endpoints/<int:pk>/",
        views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
        old="webhooks/endpoints/<int:pk>",
    ),
    *api_path(
        "webhooks/endpoints/<int:pk>/rotate-secret/",
        views.WebhookSecretRotateView.as_view(),
        name="webhook-endpoint-rotate-secret",
        old="webhooks/endpoints/<int:pk>/rotate-secret",
    ),
    *api_path(
        "webhooks/endpoints/<int:pk>/test/",
        views.WebhookTestView.as_view(),
        name="webhook-test",
        old="webhooks/endpoints/<int:pk>/test",
    ),
    *api_path(
        "webhooks/endpoints/<int:pk>/replay/",
        views.WebhookReplayView.as_view(),
        name="webhook-replay",
        old="webhooks/endpoints/<int:pk>/replay",
    ),
    *api_path(
        "webhooks/endpoints/<int:pk>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
        old="webhooks/endpoints/<int:pk>/deliveries",
        old_view=views.LegacyWebhookDeliveryListView.as_view(),
    ),
]
