"""Roles are groups created by a migration with their model permissions."""

import pytest
from django.contrib.auth.models import Group

from apps.platform import roles

pytestmark = pytest.mark.django_db


def perms(role):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_every_role_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    assert set(roles.ROLES) == {
        "Admin",
        "Operator",
        "Warehouse",
        "AuditViewer",
        "Viewer",
        "Integration",
    }


def test_viewer_reads_and_writes_nothing():
    assert perms("Viewer") == {
        "core.view_systemsetting",
        "resources.view_skill",
        "resources.view_resource",
        "resources.view_project",
        "resources.view_allocation",
        "resources.view_allocationhistory",
        "inventory.view_item",
        "inventory.view_location",
        "inventory.view_stocklevel",
        "inventory.view_stockmovement",
        "inventory.view_replenishment",
        "orders.view_order",
        "orders.view_payment",
        "orders.view_every_order",  # reading, not only the orders it placed
        "accounts.issue_own_apitoken",
    }


def test_admin_manages_settings_users_and_tokens():
    assert perms("Admin") >= {
        "core.view_systemsetting",
        "core.add_systemsetting",
        "core.change_systemsetting",
        "core.delete_systemsetting",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
        "accounts.view_user",
    }
