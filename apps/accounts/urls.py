from django.urls import path

from apps.accounts import oidc, views

urlpatterns = [
    path(
        "oidc/authenticate/",
        oidc.AuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("oidc/logout/", oidc.LogoutView.as_view(), name="oidc_logout"),
    path("signed-in/", views.signed_in, name="signed-in"),
]
