"""Everyone with a role issues API tokens for themselves; Admins for any user (service
accounts)."""

from django.db import migrations

from apps.platform.roles import ROLES, role_grants

OWN = "accounts.issue_own_apitoken"
GRANTS = {role: [OWN] for role in ROLES} | {"Admin": [OWN, "accounts.issue_any_apitoken"]}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_self_service_tokens"), ("core", "0002_roles")]

    operations = [role_grants(GRANTS)]
