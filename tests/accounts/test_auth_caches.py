"""Cached tokens and permission sets never outlive a revocation or a role change."""

import pytest
from django.contrib.auth.models import Group

from apps.accounts import services
from apps.accounts.models import ApiToken
from tests.factories import UserFactory, issue_token
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings/"


@pytest.fixture
def viewer_with_token(api_client):
    user = UserFactory(roles=["Viewer"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert api_client.get(URL).status_code == 200  # now cached
    return user, api_client


def test_revoking_a_cached_token_takes_effect_on_the_next_request(viewer_with_token):
    user, client = viewer_with_token
    services.api_token_revoke(token=ApiToken.objects.get(user=user), actor=None)
    assert_problem(client.get(URL), 401)


def test_deactivating_the_user_of_a_cached_token_takes_effect_at_once(viewer_with_token):
    user, client = viewer_with_token
    user.is_active = False
    user.save()
    assert_problem(client.get(URL), 401)


def test_deleting_a_cached_token_takes_effect_at_once(viewer_with_token):
    user, client = viewer_with_token
    ApiToken.objects.filter(user=user).delete()
    assert_problem(client.get(URL), 401)


def test_removing_a_role_takes_effect_on_the_next_request(viewer_with_token):
    user, client = viewer_with_token
    user.groups.remove(Group.objects.get(name="Viewer"))
    assert_problem(client.get(URL), 403)


def test_removing_a_member_from_the_group_side_takes_effect(viewer_with_token):
    user, client = viewer_with_token
    Group.objects.get(name="Viewer").user_set.remove(user)
    assert_problem(client.get(URL), 403)


def test_withdrawing_a_permission_from_a_role_takes_effect(viewer_with_token):
    _user, client = viewer_with_token
    viewer = Group.objects.get(name="Viewer")
    viewer.permissions.remove(viewer.permissions.get(codename="view_systemsetting"))
    assert_problem(client.get(URL), 403)


def test_granting_a_role_takes_effect_on_the_next_request(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert_problem(api_client.get(URL), 403)
    user.groups.add(Group.objects.get(name="Viewer"))
    assert api_client.get(URL).status_code == 200


def test_promoting_to_superuser_takes_effect(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert_problem(api_client.get(URL), 403)
    user.is_superuser = True
    user.save()
    assert api_client.get(URL).status_code == 200


def test_revoking_with_a_bulk_update_takes_effect_at_once(viewer_with_token):
    from django.utils import timezone

    user, client = viewer_with_token
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert_problem(client.get(URL), 401)


def test_deactivating_with_a_bulk_update_takes_effect_at_once(viewer_with_token):
    from apps.accounts.models import User

    user, client = viewer_with_token
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_problem(client.get(URL), 401)


def test_a_migration_withdrawing_a_grant_takes_effect_after_migrate(viewer_with_token):
    from django.apps import apps
    from django.core.management import call_command

    from apps.platform.roles import revoke_role_permissions

    _user, client = viewer_with_token
    revoke_role_permissions(apps, {"Viewer": ["core.view_systemsetting"]})
    call_command("migrate", verbosity=0)
    assert_problem(client.get(URL), 403)


def test_a_request_with_a_cached_token_goes_to_redis_once(viewer_with_token, monkeypatch):
    """The token, the permission set, the use gate and the user's rate-limit count travel
    in one pipeline."""
    from redis.connection import AbstractConnection

    _user, client = viewer_with_token
    round_trips = []
    send = AbstractConnection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        round_trips.append(command)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    assert client.get(URL).status_code == 200
    assert len(round_trips) == 1, round_trips


def test_the_rate_limit_counted_with_the_token_still_refuses(viewer_with_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from apps.platform.api.throttling import FixedWindowMixin

    monkeypatch.setattr(FixedWindowMixin, "timer", lambda self: 1_700_000_010.0, raising=False)
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    _user, client = viewer_with_token
    assert [client.get(URL).status_code for _ in range(2)] == [200, 200]
    refused = client.get(URL)
    assert_problem(refused, 429, "throttled")
    assert refused["Retry-After"] == "30"
