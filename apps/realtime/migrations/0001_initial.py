from django.db import migrations, models

# Publishing starts at the log's current end: history is replayed on request, not pushed.
START_AT_END = """
INSERT INTO realtime_streamcursor (id, position)
SELECT 1, coalesce(max(position), 0) FROM audit_seal
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = [("eventlog", "0002_notify_sealer")]

    operations = [
        migrations.CreateModel(
            name="StreamCursor",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("position", models.BigIntegerField(default=0, verbose_name="published through position")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="published at")),
            ],
            options={
                "verbose_name": "stream cursor",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="stream_cursor_one_row")
                ],
            },
        ),
        migrations.RunSQL(START_AT_END, migrations.RunSQL.noop),
    ]
