"""The runtime role owns nothing: the partition function runs as the tables' owner
(SECURITY DEFINER, a fixed search_path) and says it is migrating, which the DDL guard lets
the owner do. Where migrations run as a superuser (tests, a first set-up), the guard is
installed here too; elsewhere `manage.py ensure_database` installs it."""

from django.db import migrations

from apps.platform.db_roles import DDL_GUARD, is_superuser
from apps.platform.partitions import monthly_partitions_function

DEFINER = (
    monthly_partitions_function(
        function="audit_ensure_partitions",
        table="audit_event",
        truncate_guard="audit_refuse_change",
        as_migration=True,
    )
    + """
ALTER FUNCTION audit_ensure_partitions(integer, date)
    SECURITY DEFINER SET search_path = public, pg_temp;
"""
)
INVOKER = """
ALTER FUNCTION audit_ensure_partitions(integer, date) SECURITY INVOKER RESET search_path;
"""


def install_guard(apps, schema_editor):
    if is_superuser(schema_editor.connection):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DDL_GUARD)


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0010_audit_key_ids")]

    operations = [
        migrations.RunSQL(DEFINER, INVOKER),
        migrations.RunPython(install_guard, migrations.RunPython.noop),
    ]
