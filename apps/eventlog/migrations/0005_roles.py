"""Who may read the audit log, append to it, and handle dead letters."""

from django.db import migrations

from apps.platform.roles import role_grants

GRANTS = {
    "Admin": ["eventlog.view_event", "eventlog.view_delivery", "eventlog.change_delivery"],
    "AuditViewer": ["eventlog.view_event"],
    "Integration": ["eventlog.add_event"],
}

class Migration(migrations.Migration):
    replaces = [("events", "0003_roles")]
    dependencies = [("eventlog", "0004_notify_relay"), ("core", "0002_roles")]

    operations = [role_grants(GRANTS)]
