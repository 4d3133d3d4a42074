"""Roles are Django groups. Migrations create them and grant model permissions.

Each app grants its own models' permissions in a migration of its own, calling
`grant_role_permissions` with a frozen table, so a role's rights are reproducible from the
migration history alone.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMIN = "Admin"
OPERATOR = "Operator"
WAREHOUSE = "Warehouse"
AUDIT_VIEWER = "AuditViewer"
VIEWER = "Viewer"
INTEGRATION = "Integration"
ROLES = (ADMIN, OPERATOR, WAREHOUSE, AUDIT_VIEWER, VIEWER, INTEGRATION)


def _ensure_permissions_exist(apps) -> None:
    # Permissions are normally created after `migrate` finishes; a fresh database needs
    # them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def grant_role_permissions(apps, grants: dict[str, list[str]]) -> None:
    """Create the roles named in `grants` and give each the listed `app_label.codename`.

    (Migrations use historical models, which send no signals the permission cache hears;
    `migrate` retires all cached permission sets when it finishes.)"""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    for role, names in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, names))


def revoke_role_permissions(apps, grants: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    for role, names in grants.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))


def role_grants(grants: dict[str, list[str]]) -> migrations.RunPython:
    """The migration operation that grants (and, reversed, withdraws) `grants`."""
    return migrations.RunPython(
        lambda apps, schema_editor: grant_role_permissions(apps, grants),
        lambda apps, schema_editor: revoke_role_permissions(apps, grants),
    )
