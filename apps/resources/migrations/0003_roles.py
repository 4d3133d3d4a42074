"""Operators book and keep the resource catalogue; viewers look; history is for auditors too."""

from django.db import migrations

from apps.platform.roles import role_grants

MODELS = ("skill", "resource", "project", "allocation")
WRITE = [f"resources.{verb}_{model}" for model in MODELS for verb in ("add", "change", "delete")]
READ = [f"resources.view_{model}" for model in MODELS]
HISTORY = ["resources.view_allocationhistory"]

GRANTS = {
    "Admin": READ + WRITE + HISTORY,
    "Operator": READ + WRITE + HISTORY,
    "Viewer": READ + HISTORY,
    "AuditViewer": HISTORY,
}


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_allocation_history_partitions"),
        ("core", "0002_roles"),
    ]

    operations = [role_grants(GRANTS)]
