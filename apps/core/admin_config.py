from django.contrib.admin.apps import AdminConfig


class FusionOpsAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.FusionOpsAdminSite"
