"""Who may read the audit log, append to it, and handle dead letters."""

from django.db import migrations

from apps.core.roles import grant_role_permissions, revoke_role_permissions

GRANTS = {
    "Admin": ["audit.view_event", "events.view_delivery", "events.change_delivery"],
    "AuditViewer": ["audit.view_event"],
    "Integration": ["audit.add_event"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, GRANTS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_notify_relay"),
        ("audit", "0001_initial"),
        ("core", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
