"""Who may read the audit log, append to it, and handle dead letters."""

from django.db import migrations

from apps.platform.roles import role_grants

GRANTS = {
    "Admin": ["audit.view_event", "events.view_delivery", "events.change_delivery"],
    "AuditViewer": ["audit.view_event"],
    "Integration": ["audit.add_event"],
}



class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_notify_relay"),
        ("audit", "0001_initial"),
        ("core", "0002_roles"),
    ]

    operations = [role_grants(GRANTS)]
