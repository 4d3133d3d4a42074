from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.login import LocalLoginForm
from apps.accounts.oidc import LogoutView
from apps.accounts.provider import oidc_enabled
from apps.core.selectors import system_setting_value

PORTAL_NAME_SETTING = "portal.name"


class FusionOpsAdminSite(admin.AdminSite):
    site_title = _("FusionOps")
    index_title = _("Operations")
    login_form = LocalLoginForm
    login_template = "admin/fusionops_login.html"

    def login(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sso_enabled": oidc_enabled(),
            "local_login": settings.FUSIONOPS_LOCAL_LOGIN,
        }
        return super().login(request, extra_context)

    def logout(self, request, extra_context=None):
        # People who came through the identity provider leave it too.
        if oidc_enabled() and getattr(request.user, "oidc_subject", None):
            return LogoutView.as_view()(request)
        return super().logout(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        # The portal's name is a system setting, so each deployment can show its own.
        context["site_header"] = system_setting_value(PORTAL_NAME_SETTING, default="FusionOps")
        return context
