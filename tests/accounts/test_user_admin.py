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
