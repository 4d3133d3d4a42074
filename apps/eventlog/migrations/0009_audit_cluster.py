"""The database clusters the log has been sealed in.

Seals keep transaction ids, which only mean something in the cluster that gave them: a
log restored from a logical dump into another cluster holds ids unrelated to the new
ones. The sealer seals only while the newest row here names the cluster it runs in;
`manage.py audit_rebaseline` adds the row for a new one (see its help)."""

from django.db import migrations

CLUSTER = """
CREATE TABLE audit_cluster (
    id bigserial PRIMARY KEY,
    system_identifier bigint NOT NULL,
    adopted_at timestamptz NOT NULL DEFAULT now(),
    -- every transaction of this cluster below base_xid had ended when it was adopted
    base_xid xid8 NOT NULL,
    -- the last position sealed before it was adopted
    from_position bigint NOT NULL
);
CREATE TRIGGER audit_cluster_append_only BEFORE UPDATE OR DELETE ON audit_cluster
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_cluster_no_truncate BEFORE TRUNCATE ON audit_cluster
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
INSERT INTO audit_cluster (system_identifier, base_xid, from_position)
SELECT (SELECT system_identifier FROM pg_control_system()),
       coalesce(last.through_xid, '0'::xid8), coalesce(last.position, 0)
FROM (SELECT 1) one
LEFT JOIN LATERAL (
    SELECT position, through_xid FROM audit_seal ORDER BY position DESC LIMIT 1
) last ON true;
"""

DROP = "DROP TABLE IF EXISTS audit_cluster;"


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0008_unique_event_ids")]

    operations = [migrations.RunSQL(CLUSTER, DROP)]
