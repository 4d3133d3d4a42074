"""Wake the worker's sealer whenever the log grows, so that it seals and publishes at once
(identical notifications of one transaction are sent once: one per transaction)."""

from django.db import migrations

NOTIFY = """
CREATE FUNCTION audit_notify_sealer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fusionops_log', '');
  RETURN NULL;
END $$;
CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_notify_sealer();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_notify ON audit_event;
DROP FUNCTION IF EXISTS audit_notify_sealer();
"""


class Migration(migrations.Migration):
    replaces = [("audit", "0002_notify_sealer")]
    dependencies = [("eventlog", "0001_event_log")]

    operations = [migrations.RunSQL(NOTIFY, DROP)]
