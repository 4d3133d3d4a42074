"""The append-only, monthly-partitioned audit log and its hash-chain seal."""

from django.db import migrations, models

from apps.platform.partitions import monthly_partitions_function

# Refuse any change to an append-only table, whoever asks (superusers included: only
# disabling triggers with session_replication_role gets around it, which verify_audit catches).
REFUSE_CHANGE = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""

EVENT_TABLE = """
CREATE SEQUENCE audit_event_seq;
CREATE TABLE audit_event (
    id uuid NOT NULL,
    seq bigint NOT NULL DEFAULT nextval('audit_event_seq'),
    type varchar(200) NOT NULL,
    version integer NOT NULL DEFAULT 1 CHECK (version > 0),
    aggregate_type varchar(100) NOT NULL,
    aggregate_id varchar(200) NOT NULL,
    actor jsonb NOT NULL,
    correlation_id varchar(128) NOT NULL DEFAULT '',
    causation_id uuid NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    payload jsonb NOT NULL,
    signature varchar(64) NOT NULL,
    -- the writing transaction: the sealer only seals events of ended transactions
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (id, recorded_at)
) PARTITION BY RANGE (recorded_at);
ALTER SEQUENCE audit_event_seq OWNED BY audit_event.seq;
CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT;
CREATE INDEX audit_event_seq_idx ON audit_event (seq);
CREATE INDEX audit_event_type_idx ON audit_event (type text_pattern_ops, seq);
CREATE INDEX audit_event_aggregate_idx ON audit_event (aggregate_type, aggregate_id, seq);
CREATE INDEX audit_event_correlation_idx ON audit_event (correlation_id);
CREATE INDEX audit_event_actor_idx ON audit_event ((actor->>'username'), seq);
CREATE INDEX audit_event_xid_idx ON audit_event (xid);
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_default_no_truncate BEFORE TRUNCATE ON audit_event_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

# The monthly partitions, each with its own TRUNCATE guard.
ENSURE_PARTITIONS = monthly_partitions_function(
    function="audit_ensure_partitions", table="audit_event", truncate_guard="audit_refuse_change"
) + "SELECT audit_ensure_partitions(12);"

SEAL_TABLE = """
CREATE TABLE audit_seal (
    position bigint PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    event_recorded_at timestamptz NOT NULL,
    digest bytea NOT NULL,
    chain bytea NOT NULL,
    through_xid xid8 NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

DROP_ALL = """
DROP TABLE IF EXISTS audit_seal;
DROP TABLE IF EXISTS audit_event CASCADE;
DROP FUNCTION IF EXISTS audit_ensure_partitions(integer, date);
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


class Migration(migrations.Migration):
    initial = True
    # The log began in the audit app; a database that applied it there has this already.
    replaces = [("audit", "0001_initial")]
    dependencies = []

    operations = [
        migrations.RunSQL(
            REFUSE_CHANGE + EVENT_TABLE + ENSURE_PARTITIONS + SEAL_TABLE, DROP_ALL
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                ("id", models.UUIDField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(editable=False, verbose_name="sequence number")),
                ("type", models.CharField(max_length=200, verbose_name="type")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                ("aggregate_type", models.CharField(max_length=100, verbose_name="aggregate type")),
                ("aggregate_id", models.CharField(max_length=200, verbose_name="aggregate id")),
                ("actor", models.JSONField(verbose_name="actor")),
                ("correlation_id", models.CharField(blank=True, max_length=128, verbose_name="correlation id")),
                ("causation_id", models.UUIDField(blank=True, null=True, verbose_name="causation id")),
                ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                ("payload", models.JSONField(verbose_name="payload")),
                ("signature", models.CharField(max_length=64, verbose_name="signature")),
            ],
            options={
                "verbose_name": "event",
                "verbose_name_plural": "events",
                "db_table": "audit_event",
                "ordering": ["-seq"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="Seal",
            fields=[
                ("position", models.BigIntegerField(primary_key=True, serialize=False)),
                ("event_id", models.UUIDField(unique=True)),
                ("event_recorded_at", models.DateTimeField()),
                ("digest", models.BinaryField()),
                ("chain", models.BinaryField()),
                ("sealed_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "seal",
                "verbose_name_plural": "seals",
                "db_table": "audit_seal",
                "ordering": ["position"],
                "managed": False,
            },
        ),
    ]
