"""Deliveries and markers churn: every delivery is inserted, updated and later purged.
Vacuum them early, so that the relay's partial index of due deliveries stays small."""

from django.db import migrations

TUNE = """
ALTER TABLE events_delivery SET (autovacuum_vacuum_scale_factor = 0.02,
                                 autovacuum_vacuum_insert_scale_factor = 0.05);
ALTER TABLE events_processedmarker SET (autovacuum_vacuum_scale_factor = 0.05);
"""
RESET = """
ALTER TABLE events_delivery RESET (autovacuum_vacuum_scale_factor,
                                   autovacuum_vacuum_insert_scale_factor);
ALTER TABLE events_processedmarker RESET (autovacuum_vacuum_scale_factor);
"""


class Migration(migrations.Migration):
    replaces = [("events", "0004_autovacuum")]
    dependencies = [("eventlog", "0005_roles")]

    operations = [migrations.RunSQL(TUNE, RESET)]
