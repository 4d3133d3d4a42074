"""Event ids unique across the whole log.

The log is partitioned by recording time, so its primary key is (id, recorded_at): a row
reusing a sealed event's id with another recording time would be a second, unsealed event
of the same id. Every insert now claims its id in a table of their own (by a trigger, so
an INSERT written by hand claims it too); a second claim is a unique violation."""

from django.db import migrations

IDS = """
CREATE TABLE audit_event_id (
    id uuid PRIMARY KEY,
    recorded_at timestamptz NOT NULL
);
INSERT INTO audit_event_id (id, recorded_at)
    SELECT id, min(recorded_at) FROM audit_event GROUP BY id;
CREATE TRIGGER audit_event_id_append_only BEFORE UPDATE OR DELETE ON audit_event_id
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_id_no_truncate BEFORE TRUNCATE ON audit_event_id
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_claim_event_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_event_id (id, recorded_at) VALUES (NEW.id, NEW.recorded_at);
  RETURN NULL;
END $$;
CREATE TRIGGER audit_event_unique_id AFTER INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_claim_event_id();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_unique_id ON audit_event;
DROP FUNCTION IF EXISTS audit_claim_event_id();
DROP TABLE IF EXISTS audit_event_id;
"""


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0007_adopt_content_types")]

    operations = [migrations.RunSQL(IDS, DROP)]
