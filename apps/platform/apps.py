from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import pre_migrate
from django.utils.translation import gettext_lazy as _

from apps.platform import (
    checks,  # noqa: F401  the system checks register on import
    tracing,
)


def _migrating(sender, using="default", **kwargs):
    # The DDL guard lets the tables' owner change append-only tables while this is on (the
    # event log switches it off when the migration is done). Sent once per app: setting it
    # again changes nothing.
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config('fusionops.migrating', 'on', false)")


class PlatformConfig(AppConfig):
    """The kernel every app stands on: request context, errors, validation, roles, the API
    base, health. It imports no app of the portal."""

    name = "apps.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self):
        # The schema's field extensions register themselves on import.
        from apps.platform.api import schema_fields  # noqa: F401

        pre_migrate.connect(_migrating, dispatch_uid="platform-migrating")
        # Before the first request: the Django instrumentation adds its middleware.
        tracing.start_from_settings(
            endpoint=settings.TRACING_OTLP_ENDPOINT, service_version=settings.APP_BUILD
        )
