"""Staff see every order; an integration only the orders it placed."""

from django.db import migrations

from apps.platform.roles import role_grants

GRANTS = {
    "Admin": ["orders.view_every_order"],
    "Operator": ["orders.view_every_order"],
    "Viewer": ["orders.view_every_order"],
}


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_every_order")]

    operations = [role_grants(GRANTS)]
