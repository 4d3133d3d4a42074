"""Order numbers from a sequence; who may place, read and cancel orders."""

from django.db import migrations

from apps.platform.roles import role_grants

READ = ["orders.view_order", "orders.view_payment"]
GRANTS = {
    "Admin": [*READ, "orders.add_order", "orders.change_order"],
    "Operator": [*READ, "orders.add_order", "orders.change_order"],
    "Integration": ["orders.view_order", "orders.add_order"],
    "Viewer": READ,
}


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("core", "0002_roles")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE orders_order_number", "DROP SEQUENCE IF EXISTS orders_order_number"
        ),
        role_grants(GRANTS),
    ]
