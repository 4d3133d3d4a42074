"""Warehouse keeps items, locations and stock; viewers look; operators see stock too."""

from django.db import migrations

from apps.platform.roles import role_grants

CATALOGUE = ("item", "location")
READ = [f"inventory.view_{model}" for model in (*CATALOGUE, "stocklevel", "stockmovement", "replenishment")]
WRITE = (
    [f"inventory.{verb}_{model}" for model in CATALOGUE for verb in ("add", "change", "delete")]
    + ["inventory.add_stockmovement", "inventory.change_stocklevel", "inventory.change_replenishment"]
)

GRANTS = {
    "Admin": READ + WRITE,
    "Warehouse": READ + WRITE,
    "Viewer": READ,
    "Operator": READ,
}


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_ledger_append_only"), ("core", "0002_roles")]

    operations = [role_grants(GRANTS)]
