from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.selectors import system_setting_value

PORTAL_NAME_SETTING = "portal.name"


class FusionOpsAdminSite(admin.AdminSite):
    site_title = _("FusionOps")
    index_title = _("Operations")

    def each_context(self, request):
        context = super().each_context(request)
        # The portal's name is a system setting, so each deployment can show its own.
        context["site_header"] = system_setting_value(PORTAL_NAME_SETTING, default="FusionOps")
        return context
