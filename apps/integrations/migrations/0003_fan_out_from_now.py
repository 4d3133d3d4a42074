"""The fan-out starts where the sealed log stands when the app is installed: endpoints
receive what happens after they are registered, and nothing of the log's past is read."""

from django.db import migrations


def start_at_the_head(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(position), 0) FROM audit_seal")
        head = cursor.fetchone()[0]
    apps.get_model("integrations", "FanOutCursor").objects.update_or_create(
        id=1, defaults={"position": head}
    )


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_roles"), ("eventlog", "0014_delivery_outcome")]

    operations = [migrations.RunPython(start_at_the_head, migrations.RunPython.noop)]
