from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """What pushes the portal's public events to other systems: signed webhooks."""

    name = "apps.integrations"
    label = "integrations"
    verbose_name = _("Integrations")
