from django.contrib.admin.apps import AdminConfig


class FusionOpsAdminConfig(AdminConfig):
    # The site imports the apps' login views: it is loaded once the apps are.
    default_site = "fusionops.admin_site.FusionOpsAdminSite"
