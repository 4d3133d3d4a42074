"""Self-service API tokens: a user issues tokens for themselves (an Admin for a service
account) over the API and in the admin, sees each once, names it, gives it a lifetime,
revokes it; every issue and revoke is in the audit log."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.eventlog.models import Event
from tests.factories import UserFactory
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/tokens/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_user_issues_a_named_token_sees_it_once_uses_it_and_revokes_it(client_as):
    operator = client_as("Operator")
    response = operator.post(URL, {"name": "laptop", "expires_in_days": 7}, format="json")
    assert response.status_code == 201, response.content
    issued = response.json()
    assert issued["name"] == "laptop" and issued["status"] == "active"
    assert issued["user"] == operator.user.username
    mine = bearer(issued["token"])
    assert mine.get("/api/v1/resources/").status_code == 200
    listed = operator.get(URL).json()["results"]
    assert issued["id"] in [t["id"] for t in listed] and all("token" not in t for t in listed)
    revoked = operator.post(f"{URL}{issued['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert mine.get("/api/v1/resources/").status_code == 401
    types = list(
        Event.objects.filter(aggregate_id=issued["id"]).order_by("seq").values_list("type", "actor")
    )
    assert [t for t, _ in types] == ["accounts.token.issued", "accounts.token.revoked"]
    assert all(actor["username"] == operator.user.username for _, actor in types)


@pytest.mark.parametrize(
    "body", [{"name": "x", "expires_in_days": 366}, {"expires_in_days": 7}, {"name": "x"}]
)
def test_a_token_needs_a_name_and_a_lifetime_within_the_limit(client_as, body):
    assert_problem(client_as("Viewer").post(URL, body, format="json"), 400)
    assert not ApiToken.objects.filter(name="x").exists()


def test_only_an_admin_issues_for_another_user(client_as):
    service = UserFactory(username="erp-sync", roles=["Integration"])
    refused = client_as("Operator").post(
        URL, {"name": "erp", "expires_in_days": 30, "user": "erp-sync"}, format="json"
    )
    assert_problem(refused, 403)
    admin = client_as("Admin")
    issued = admin.post(
        URL, {"name": "erp", "expires_in_days": 30, "user": "erp-sync"}, format="json"
    ).json()
    assert issued["user"] == "erp-sync"
    assert ApiToken.objects.get(pk=issued["id"]).created_by == admin.user
    assert bearer(issued["token"]).get("/api/v1/orders/").status_code == 200
    assert service.api_tokens.count() == 1


def test_a_user_sees_and_revokes_only_their_own_tokens(client_as):
    first, second = client_as("Viewer"), client_as("Viewer")
    theirs = second.post(URL, {"name": "cli", "expires_in_days": 1}, format="json").json()
    assert theirs["id"] not in [t["id"] for t in first.get(URL).json()["results"]]
    assert_problem(first.post(f"{URL}{theirs['id']}/revoke"), 404)
    admin = client_as("Admin")
    assert admin.post(f"{URL}{theirs['id']}/revoke").json()["status"] == "revoked"


def test_in_the_admin_a_user_issues_a_token_and_sees_it_once():
    operator = UserFactory(roles=["Operator"], is_staff=True)
    other = UserFactory(roles=["Operator"], is_staff=True)
    client = Client()
    client.force_login(operator)
    page = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": operator.pk, "name": "scripts", "expires_in_days": 14},
        follow=True,
    )
    token = ApiToken.objects.get(user=operator, name="scripts")
    body = page.content.decode()
    assert "shown this once" in body
    secret = body.split("shown this once: ")[1].split("<")[0].strip()
    assert bearer(secret).get("/api/v1/resources/").status_code == 200
    assert (
        "shown this once"
        not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    )
    # Not for someone else, and only one's own are listed.
    refused = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": other.pk, "name": "theirs", "expires_in_days": 14},
    )
    assert refused.status_code == 200 and not ApiToken.objects.filter(name="theirs").exists()
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert "scripts" in listing
