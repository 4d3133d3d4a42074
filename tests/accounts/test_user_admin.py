"""The Admin role manages users but cannot give anyone (itself included) more than it has."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_admin(client):
    user = UserFactory(is_staff=True, roles=["Admin"])
    client.force_login(user)
    return user


def test_the_admin_role_cannot_make_itself_superuser(client, role_admin):
    form = client.get(f"/admin/accounts/user/{role_admin.pk}/change/")
    assert form.status_code == 200
    assert 'name="is_superuser"' not in form.content.decode()
    client.post(
        f"/admin/accounts/user/{role_admin.pk}/change/",
        {
            "username": role_admin.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in role_admin.groups.all()],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    role_admin.refresh_from_db()
    assert not role_admin.is_superuser


def test_the_admin_role_cannot_edit_or_delete_a_superuser(client, role_admin):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    change = client.post(
        f"/admin/accounts/user/{superuser.pk}/change/",
        {"username": "renamed", "is_active": "on"},
    )
    assert change.status_code == 403
    assert (
        client.post(f"/admin/accounts/user/{superuser.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    superuser.refresh_from_db()
    assert superuser.is_superuser


def test_a_superuser_still_grants_superuser(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    form = client.get(f"/admin/accounts/user/{UserFactory().pk}/change/").content.decode()
    assert 'name="is_superuser"' in form


def test_making_a_user_an_admin_in_the_admin_records_who_did_it(client):
    from django.contrib.auth.models import Group

    from apps.eventlog.models import Event

    superuser = UserFactory(is_staff=True, is_superuser=True, username="root-admin")
    client.force_login(superuser)
    bob = UserFactory(username="bob", roles=["Viewer"])
    admin_role = Group.objects.get(name="Admin")
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {
            "username": "bob",
            "email": bob.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [admin_role.pk, *bob.groups.values_list("pk", flat=True)],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content
    roles = Event.objects.get(type="accounts.user.roles_changed", aggregate_id=str(bob.pk))
    assert roles.actor["username"] == "root-admin"
    assert roles.payload == {
        "username": "bob", "before": ["Viewer"], "after": ["Admin", "Viewer"], "source": "admin",
    }  # fmt: skip
    changed = Event.objects.get(type="accounts.user.changed", aggregate_id=str(bob.pk))
    assert changed.payload["before"] == {"is_staff": False}
    assert changed.payload["after"] == {"is_staff": True}


def test_role_permissions_changed_and_users_deleted_in_the_admin_are_recorded(client):
    from django.contrib.auth.models import Group, Permission

    from apps.eventlog.models import Event

    superuser = UserFactory(is_staff=True, is_superuser=True, username="root-admin")
    client.force_login(superuser)
    role = Group.objects.create(name="Dispatch")
    view_item = Permission.objects.get(codename="view_item")
    client.post(
        f"/admin/auth/group/{role.pk}/change/", {"name": "Dispatch", "permissions": [view_item.pk]}
    )
    saved = Event.objects.get(type="accounts.group.saved", aggregate_id=str(role.pk))
    assert saved.payload["before"]["permissions"] == []
    assert saved.payload["after"]["permissions"] == ["inventory.view_item"]
    assert saved.actor["username"] == "root-admin"

    leaving = UserFactory(username="leaving")
    client.post(f"/admin/accounts/user/{leaving.pk}/delete/", {"post": "yes"})
    deleted = Event.objects.get(type="accounts.user.deleted", aggregate_id=str(leaving.pk))
    assert deleted.payload["username"] == "leaving"
