"""The allocation history's partition function runs as the table's owner: the worker,
connected as the runtime role, creates the coming months' partitions through it."""

from django.db import migrations

DEFINER = """
ALTER FUNCTION resources_history_ensure_partitions(integer, date)
    SECURITY DEFINER SET search_path = public, pg_temp;
"""
INVOKER = """
ALTER FUNCTION resources_history_ensure_partitions(integer, date)
    SECURITY INVOKER RESET search_path;
"""


class Migration(migrations.Migration):
    dependencies = [("resources", "0004_allocation_period_index")]

    operations = [migrations.RunSQL(DEFINER, INVOKER)]
