from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from apps.eventlog import checks  # noqa: F401  the system checks register on import
from apps.platform import db_roles


def _grant_the_runtime_role(sender, using="default", **kwargs):
    """After every migrate (all migrations are applied by then): the runtime role reads and
    writes the portal's tables, but on the log (every partition included) it only reads
    and appends."""
    runtime = settings.DATABASE_RUNTIME_ROLE
    db_roles.grant_runtime_access(connections[using], runtime=runtime)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime])
        if cursor.fetchone() is not None:
            cursor.execute(
                """
                SELECT c.oid::regclass::text FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                  AND starts_with(c.relname, 'audit_')
                """
            )
            role = connections[using].ops.quote_name(runtime)
            for (table,) in cursor.fetchall():
                cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
                cursor.execute(f"GRANT SELECT, INSERT ON {table} TO {role}")
        # The last thing a migrate does here: the DDL guard holds again (platform set this).
        cursor.execute("SELECT set_config('fusionops.migrating', 'off', false)")


class EventLogConfig(AppConfig):
    name = "apps.eventlog"
    label = "eventlog"
    verbose_name = _("Event log")

    def ready(self):
        # Each app declares its event types in events.py, and what runs on them
        # (subscribers, projections, periodic jobs, sealed-log readers) in handlers.py.
        post_migrate.connect(_grant_the_runtime_role, sender=self, dispatch_uid="eventlog-grants")
        autodiscover_modules("events")
        autodiscover_modules("handlers")
        from apps.eventlog import health

        health.register()
