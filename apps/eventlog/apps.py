from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from apps.eventlog import checks  # noqa: F401  the system checks register on import


class EventLogConfig(AppConfig):
    name = "apps.eventlog"
    label = "eventlog"
    verbose_name = _("Event log")

    def ready(self):
        # Each app declares its event types in events.py, and what runs on them
        # (subscribers, projections, periodic jobs, sealed-log readers) in handlers.py.
        autodiscover_modules("events")
        autodiscover_modules("handlers")
