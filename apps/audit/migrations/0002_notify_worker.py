"""Wake the worker whenever the log grows, so that it seals and publishes at once.

Deliveries already notify the same channel; identical notifications of one transaction are
sent once, so a transaction that also writes deliveries costs nothing more."""

from django.db import migrations

NOTIFY = """
CREATE FUNCTION audit_notify_worker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fusionops_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_notify_worker();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_notify ON audit_event;
DROP FUNCTION IF EXISTS audit_notify_worker();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(NOTIFY, DROP)]
