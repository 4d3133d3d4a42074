"""Wake the relay when deliveries are written. NOTIFY is sent at commit, and identical
notifications of one transaction are sent once, so a burst of events costs one wake-up."""

from django.db import migrations

NOTIFY = """
CREATE FUNCTION events_notify_relay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM inserted) THEN
    PERFORM pg_notify('fusionops_outbox', '');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER events_delivery_notify AFTER INSERT ON events_delivery
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify_relay();
"""

DROP = """
DROP TRIGGER IF EXISTS events_delivery_notify ON events_delivery;
DROP FUNCTION IF EXISTS events_notify_relay();
"""


class Migration(migrations.Migration):
    replaces = [("events", "0002_notify_relay")]
    dependencies = [("eventlog", "0003_outbox")]

    operations = [migrations.RunSQL(NOTIFY, DROP)]
