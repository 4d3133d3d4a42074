from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "apps.realtime"
    label = "realtime"
    verbose_name = _("Live updates")

    def ready(self):
        # Registers the publisher as a reader of the sealed log.
        from apps.realtime import services  # noqa: F401
