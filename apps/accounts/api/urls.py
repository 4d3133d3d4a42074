from apps.accounts.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path("tokens/", views.ApiTokenListView.as_view(), name="api-token-list"),
    *api_path(
        "tokens/<uuid:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
        old="tokens/<uuid:pk>/revoke",
    ),
]
