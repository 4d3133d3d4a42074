from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "apps.events"
    label = "events"
    verbose_name = _("Event delivery")

    def ready(self):
        # Each app declares its subscribers in handlers.py.
        autodiscover_modules("handlers")
