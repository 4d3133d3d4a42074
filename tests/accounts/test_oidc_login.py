"""Sign-in through a real OpenID provider (oidc-provider-mock on 127.0.0.1): the full
authorization-code flow, users found by subject, roles from a claim, logout."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from apps.accounts.models import User
from apps.accounts.provider import forget_provider_metadata
from apps.eventlog.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def set_claims(provider: str, sub: str, **claims) -> None:
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204


def sign_in(client: Client, provider: str, sub: str):
    """The browser's way through: portal → provider's form → callback → session."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize")
    assert "code_challenge" in parse_qs(urlparse(authorize).query)  # PKCE
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlparse(answer.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_a_login_through_the_provider_creates_the_user_with_the_roles_it_claims(provider):
    set_claims(
        provider, "alice-0001", email="alice@example.com", preferred_username="alice",
        given_name="Alice", family_name="Ng", groups=["Operator", "coffee-club"],
    )  # fmt: skip
    client = Client()
    landed = sign_in(client, provider, "alice-0001")
    assert landed.status_code == 302
    assert landed["Location"] == "/signed-in/"
    user = User.objects.get(oidc_subject="alice-0001")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert (user.username, user.email, user.first_name) == ("alice", "alice@example.com", "Alice")
    assert set(user.groups.values_list("name", flat=True)) == {"Operator"}
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert client.get("/signed-in/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    logged = list(Event.objects.filter(aggregate_id=str(user.pk)).values_list("type", "payload"))
    assert [t for t, _ in sorted(logged)] == [
        "accounts.user.created", "accounts.user.logged_in", "accounts.user.roles_changed",
    ]  # fmt: skip
    assert dict(logged)["accounts.user.logged_in"]["method"] == "oidc"
    assert dict(logged)["accounts.user.roles_changed"]["after"] == ["Operator"]


def test_a_changed_role_claim_changes_the_groups_at_the_next_login(provider):
    set_claims(provider, "bob-0002", email="bob@example.com", groups=["Operator"])
    sign_in(Client(), provider, "bob-0002")
    set_claims(provider, "bob-0002", email="bob@new.example", groups=["Viewer"])
    client = Client()
    sign_in(client, provider, "bob-0002")
    user = User.objects.get(oidc_subject="bob-0002")
    assert User.objects.filter(oidc_subject="bob-0002").count() == 1
    assert user.email == "bob@new.example"  # same person, found by subject
    assert set(user.groups.values_list("name", flat=True)) == {"Viewer"}
    assert not user.is_staff
    assert client.get("/signed-in/")["Location"] == "/board/"
    change = Event.objects.filter(type="accounts.user.roles_changed").order_by("-seq").first()
    assert (change.payload["before"], change.payload["after"]) == (["Operator"], ["Viewer"])


def test_roles_can_come_from_a_nested_claim_through_a_mapping(provider, settings):
    settings.OIDC_ROLES_CLAIM = "realm_access.roles"
    settings.OIDC_ROLE_MAP = {"fusion-admin": "Admin", "ops": "Operator"}
    set_claims(
        provider, "carol-0003", email="carol@example.com",
        realm_access={"roles": ["fusion-admin", "offline_access", "Viewer"]},
    )  # fmt: skip
    sign_in(Client(), provider, "carol-0003")
    user = User.objects.get(oidc_subject="carol-0003")
    # With a map, only mapped names count (a provider role spelled "Viewer" is not mapped).
    assert set(user.groups.values_list("name", flat=True)) == {"Admin"}


def test_someone_without_a_mapped_role_is_signed_in_but_told_there_is_no_access(provider):
    set_claims(provider, "dave-0004", email="dave@example.com", groups=["coffee-club"])
    client = Client()
    sign_in(client, provider, "dave-0004")
    page = client.get("/signed-in/")
    assert page.status_code == 403
    assert b"have no access yet" in page.content
    assert client.get("/admin/").status_code == 302  # to the login page
    assert client.get("/board/").status_code == 200  # shows nothing: no topics
    assert b"Your roles do not include anything" in client.get("/board/").content


def test_logout_ends_the_session_and_the_providers_session(provider):
    set_claims(provider, "erin-0005", email="erin@example.com", groups=["Viewer"])
    client = Client()
    sign_in(client, provider, "erin-0005")
    left = client.post("/oidc/logout/")
    assert SESSION_KEY not in client.session
    assert left.status_code == 302
    end_session = urlparse(left["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == provider
    assert end_session.path == "/oauth2/end_session"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"][0].count(".") == 2
    confirmed = requests.post(
        f"{provider}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    assert confirmed.headers["Location"] == "http://testserver/"


def test_the_admin_login_page_offers_sso_and_hides_passwords_when_local_login_is_off(
    provider, settings
):
    UserFactory(username="local", password="correct horse battery staple", is_staff=True)
    client = Client()
    page = client.get("/admin/login/")
    assert b"Sign in with SSO" in page.content
    assert b'name="password"' in page.content
    settings.FUSIONOPS_LOCAL_LOGIN = False
    page = client.get("/admin/login/")
    assert b"Sign in with SSO" in page.content
    assert b'name="password"' not in page.content
    refused = client.post(
        "/admin/login/", {"username": "local", "password": "correct horse battery staple"}
    )
    assert refused.status_code == 200
    assert SESSION_KEY not in client.session


def test_sign_in_pages_answer_404_without_a_provider_and_503_when_it_is_down(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert Client().get("/oidc/authenticate/").status_code == 404
    settings.OIDC_RP_CLIENT_ID = "fusionops"
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    forget_provider_metadata()
    try:
        page = Client().get("/oidc/authenticate/")
    finally:
        forget_provider_metadata()
    assert page.status_code == 503


def test_with_local_login_off_no_password_authenticates_anywhere(settings):
    from django.contrib.auth import authenticate

    UserFactory(username="local")
    assert authenticate(username="local", password="correct horse battery staple")
    settings.FUSIONOPS_LOCAL_LOGIN = False
    assert authenticate(username="local", password="correct horse battery staple") is None


def test_a_deactivated_users_session_ends(provider):
    set_claims(provider, "frank-0006", email="frank@example.com", groups=["Operator"])
    client = Client()
    sign_in(client, provider, "frank-0006")
    assert client.get("/admin/").status_code == 200
    User.objects.filter(oidc_subject="frank-0006").update(is_active=False)
    assert client.get("/admin/").status_code == 302
    assert client.get("/board/").status_code == 302


def test_a_username_taken_by_a_local_account_is_not_taken_over(provider):
    local = UserFactory(username="grace", is_staff=True)
    set_claims(provider, "grace-0007", preferred_username="grace", groups=["Viewer"])
    sign_in(Client(), provider, "grace-0007")
    newcomer = User.objects.get(oidc_subject="grace-0007")
    assert newcomer.pk != local.pk
    assert newcomer.username == "grace-2"
    local.refresh_from_db()
    assert local.oidc_subject is None
