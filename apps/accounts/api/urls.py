from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("tokens/", views.ApiTokenListView.as_view(), name="api-token-list"),
    path("tokens/<uuid:pk>/revoke", views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
]
