"""Each event and each seal names the audit key that signed or chained it. What the log
holds already was signed with SECRET_KEY: the key id "secret-key" (keep that key, under
that id, among AUDIT_SIGNING_KEYS for as long as the history must verify)."""

from django.db import migrations, models

KEY_IDS = """
ALTER TABLE audit_event ADD COLUMN key_id varchar(32) NOT NULL DEFAULT 'secret-key';
ALTER TABLE audit_event ALTER COLUMN key_id DROP DEFAULT;
ALTER TABLE audit_seal ADD COLUMN key_id varchar(32) NOT NULL DEFAULT 'secret-key';
ALTER TABLE audit_seal ALTER COLUMN key_id DROP DEFAULT;
"""

DROP = """
ALTER TABLE audit_seal DROP COLUMN key_id;
ALTER TABLE audit_event DROP COLUMN key_id;
"""


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0009_audit_cluster")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(KEY_IDS, DROP)],
            state_operations=[
                migrations.AddField(
                    "event",
                    "key_id",
                    models.CharField(default="secret-key", max_length=32, verbose_name="key"),
                    preserve_default=False,
                ),
                migrations.AddField(
                    "seal",
                    "key_id",
                    models.CharField(default="secret-key", max_length=32, verbose_name="key"),
                    preserve_default=False,
                ),
            ],
        )
    ]
