from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The kernel every app stands on: request context, errors, validation, roles, the API
    base, health. It imports no app of the portal."""

    name = "apps.platform"
    label = "platform"
    verbose_name = _("Platform")
