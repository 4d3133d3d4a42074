"""Create the roles (groups) and grant them the permissions of the foundation's models."""

from django.db import migrations

from apps.platform.roles import role_grants

GRANTS = {
    "Admin": [
        "core.view_systemsetting",
        "core.add_systemsetting",
        "core.change_systemsetting",
        "core.delete_systemsetting",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
    ],
    "Operator": [],
    "Warehouse": [],
    "AuditViewer": [],
    "Viewer": ["core.view_systemsetting"],
    "Integration": [],
}



class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [role_grants(GRANTS)]
