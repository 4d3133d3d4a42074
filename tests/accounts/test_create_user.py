"""`manage.py create_user`: the first admin of a deployment, recorded like an admin change."""

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.eventlog.models import Event

pytestmark = pytest.mark.django_db


def test_a_new_user_gets_its_roles_and_the_log_says_it_came_from_the_server():
    call_command("create_user", "ops-admin", "--role", "Admin", "--staff", "--email", "o@x.test")
    user = User.objects.get(username="ops-admin")
    assert list(user.groups.values_list("name", flat=True)) == ["Admin"]
    assert user.is_staff and user.email == "o@x.test"
    assert not user.has_usable_password()
    added = Event.objects.get(type="accounts.user.added", aggregate_id=str(user.pk))
    assert added.actor["type"] == "system"
    roles = Event.objects.get(type="accounts.user.roles_changed", aggregate_id=str(user.pk))
    assert roles.payload == {
        "username": "ops-admin", "before": [], "after": ["Admin"], "source": "command",
    }  # fmt: skip


def test_running_it_again_replaces_the_roles_and_records_only_the_change():
    call_command("create_user", "erp", "--role", "Integration")
    call_command("create_user", "erp", "--role", "Viewer", "--role", "Integration")
    user = User.objects.get(username="erp")
    assert sorted(user.groups.values_list("name", flat=True)) == ["Integration", "Viewer"]
    changes = Event.objects.filter(type="accounts.user.roles_changed", aggregate_id=str(user.pk))
    assert [e.payload["after"] for e in changes.order_by("seq")] == [
        ["Integration"], ["Integration", "Viewer"],
    ]  # fmt: skip
    assert Event.objects.filter(type="accounts.user.added", aggregate_id=str(user.pk)).count() == 1


def test_an_unknown_role_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError):
        call_command("create_user", "nobody", "--role", "Superhero")
    assert not User.objects.filter(username="nobody").exists()
