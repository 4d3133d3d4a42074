"""The trace context of the span that recorded each event (W3C traceparent; '' when the
writing process did not trace): the relay, the saga and the live publish continue that
trace. Operational, not audited: it is outside the signed document."""

from django.db import migrations, models

ADD = "ALTER TABLE audit_event ADD COLUMN traceparent varchar(55) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE audit_event DROP COLUMN traceparent"


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0012_worker_heartbeat")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="event",
                    name="traceparent",
                    field=models.CharField(
                        blank=True, default="", editable=False, max_length=55,
                        verbose_name="trace context",
                    ),
                )
            ],
        )
    ]
