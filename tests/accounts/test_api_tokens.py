"""Bearer tokens from `manage.py issue_token`: signed, stored by id, listable and revocable."""

import base64
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import ApiToken
from apps.accounts.tokens import TOKEN_PREFIX
from tests.factories import UserFactory, issue_token
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings/"


def issue_via_command(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def get_with(api_client, token):
    return api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_issued_token_authenticates_with_the_users_roles(api_client):
    UserFactory(username="erp", roles=["Viewer"])
    token = issue_via_command("erp")
    assert token.startswith(TOKEN_PREFIX)
    assert get_with(api_client, token).status_code == 200


def test_token_of_a_user_without_the_role_is_forbidden(api_client):
    UserFactory(username="norole")
    assert_problem(get_with(api_client, issue_via_command("norole")), 403)


def test_ttl_sets_the_expiry(api_client):
    user = UserFactory(username="erp", roles=["Viewer"])
    issue_via_command("erp", "--ttl", "1h", "--name", "ERP sync")
    token = ApiToken.objects.get(user=user)
    assert token.name == "ERP sync"
    assert abs(token.expires_at - (timezone.now() + timedelta(hours=1))) < timedelta(seconds=10)


def test_expired_token_is_refused(api_client):
    UserFactory(username="erp", roles=["Viewer"])
    response = get_with(api_client, issue_via_command("erp", "--expired"))
    assert_problem(response, 401, "authentication-failed")


def test_token_expiring_while_in_use_is_refused(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(get_with(api_client, token), 401, "authentication-failed")


def test_revoked_token_is_refused(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    assert get_with(api_client, token).status_code == 200
    services.api_token_revoke(token=ApiToken.objects.get(user=user), actor=None)
    assert_problem(get_with(api_client, token), 401, "authentication-failed")


def test_revoking_twice_keeps_the_first_revocation():
    admin = UserFactory()
    user = UserFactory()
    issue_token(user)
    stored = ApiToken.objects.get(user=user)
    first = services.api_token_revoke(token=stored, actor=admin)
    second = services.api_token_revoke(token=stored, actor=None)
    assert second.revoked_at == first.revoked_at
    assert second.revoked_by == admin


def test_tampered_token_is_refused(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    other = UserFactory(roles=["Admin"])
    # Claim the other user's id inside an otherwise untouched token.
    payload, _, _signature = token.removeprefix(TOKEN_PREFIX).rpartition(".")
    head, _, _timestamp = payload.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    claims["uid"] = other.pk
    forged_head = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = TOKEN_PREFIX + token.removeprefix(TOKEN_PREFIX).replace(head, forged_head)
    assert forged != token
    assert_problem(get_with(api_client, forged), 401, "authentication-failed")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_problem(get_with(api_client, flipped), 401, "authentication-failed")


def test_unknown_token_id_is_refused(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    ApiToken.objects.filter(user=user).delete()
    assert_problem(get_with(api_client, token), 401, "authentication-failed")


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer", "Bearer a b", "Bearer fo_x:y"])
def test_malformed_bearer_headers_are_401(api_client, header):
    response = api_client.get(URL, HTTP_AUTHORIZATION=header)
    assert_problem(response, 401, "authentication-failed")


def test_token_of_an_inactive_user_is_refused(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    user.is_active = False
    user.save()
    assert_problem(get_with(api_client, token), 401, "authentication-failed")


def test_use_is_recorded_at_most_once_a_minute(api_client):
    user = UserFactory(roles=["Viewer"])
    token = issue_token(user)
    get_with(api_client, token)
    first_use = ApiToken.objects.get(user=user).last_used_at
    assert first_use is not None
    get_with(api_client, token)
    assert ApiToken.objects.get(user=user).last_used_at == first_use


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost"], "no user"),
        (["erp", "--ttl", "soon"], "not a duration"),
        (["erp", "--ttl", "0h"], "positive"),
    ],
)
def test_issue_token_rejects_bad_input(args, message):
    UserFactory(username="erp")
    with pytest.raises(CommandError, match=message):
        issue_via_command(*args)
    assert not ApiToken.objects.exists()


def test_admin_lists_tokens_and_revokes_them(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory(username="erp", roles=["Viewer"])
    issue_token(user)
    stored = ApiToken.objects.get(user=user)
    client.force_login(superuser)

    listing = client.get("/admin/accounts/apitoken/?status=active")
    assert listing.status_code == 200
    assert str(stored.pk) in listing.content.decode()

    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [str(stored.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert stored.revoked_by == superuser
    assert "erp" in client.get("/admin/accounts/apitoken/?status=revoked").content.decode()


def test_admin_role_member_reaches_the_token_list(client):
    staff = UserFactory(is_staff=True, roles=["Admin"])
    client.force_login(staff)
    assert client.get("/admin/accounts/apitoken/").status_code == 200


def test_tokens_can_travel_as_a_websocket_subprotocol():
    # RFC 6455 subprotocols are HTTP tokens: no colons, slashes or spaces.
    token = issue_token(UserFactory())
    assert re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", token)


def test_tokens_issued_in_the_earlier_colon_format_still_work(api_client):
    from django.core import signing

    user = UserFactory(roles=["Viewer"])
    current = issue_token(user)
    claims = signing.TimestampSigner(salt="fusionops.accounts.api-token", sep=".").unsign_object(
        current.removeprefix(TOKEN_PREFIX)
    )
    legacy = TOKEN_PREFIX + signing.dumps(claims, salt="fusionops.accounts.api-token")
    assert ":" in legacy
    assert get_with(api_client, legacy).status_code == 200
