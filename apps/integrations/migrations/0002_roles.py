"""Integrations keep their own webhook endpoints; Admins keep everyone's."""

from django.db import migrations

from apps.platform.roles import role_grants

OWN = [
    f"integrations.{verb}_webhookendpoint" for verb in ("view", "add", "change", "delete")
]

GRANTS = {
    "Admin": [*OWN, "integrations.manage_any_webhookendpoint"],
    "Integration": OWN,
}


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_webhook_endpoints"),
        ("core", "0002_roles"),
    ]

    operations = [role_grants(GRANTS)]
