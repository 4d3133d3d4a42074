"""Webhooks against a real HTTP receiver started by the test (it verifies signatures the
Standard Webhooks way): delivery of the public contract, retries on a 500 and on a timeout,
dead letters and disabling, replay from a position, secret rotation, the documented
verification recipe, and the refusal of URLs the portal must not call."""

import json
import os
import re
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from apps.eventlog.models import Delivery, Event, Seal
from apps.eventlog.relay import relay_batch
from apps.eventlog.sealing import audit_seal_and_follow
from apps.integrations import services
from apps.integrations.models import WebhookEndpoint
from apps.integrations.services import new_secret
from tests.factories import UserFactory
from tests.helpers import assert_problem
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

START = datetime(2027, 4, 5, 10, tzinfo=UTC)


class Receiver:
    """A webhook receiver on 127.0.0.1: answers each POST with the next planned answer
    (a status code, or ("sleep", seconds) to be too slow), 200 once the plan runs out."""

    def __init__(self):
        self.received: list[dict] = []
        self.plan: list = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append({"headers": dict(self.headers), "body": body})
                answer = receiver.plan.pop(0) if receiver.plan else 200
                if isinstance(answer, tuple):
                    time.sleep(answer[1])
                    answer = 200
                self.send_response(answer)
                if answer in (301, 302):
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str) -> list[dict]:
        """The bodies whose signature `secret` verifies (with the library receivers use)."""
        found = []
        for message in self.received:
            try:
                found.append(Webhook(secret).verify(message["body"], message["headers"]))
            except WebhookVerificationError:
                continue
        return found


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.server.shutdown()


@pytest.fixture
def integration(client_as):
    return client_as("Integration")


def register(client, url, event_types=("resources.*",)):
    response = client.post(
        "/api/v1/webhooks/endpoints/",
        {"url": url, "event_types": list(event_types), "description": "ERP"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def book(hour=0):
    from apps.resources.services import AllocationItem, allocate

    begins = START + timedelta(hours=hour)
    return allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(ResourceFactory().pk, begins, begins + timedelta(hours=1))],
        actor=None,
    )[0]


def pump(*, due_now=False):
    """What the worker does: seal and fan out, then relay until nothing is due."""
    audit_seal_and_follow()
    for _ in range(20):
        if due_now:
            Delivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        if not relay_batch().claimed:
            return


def deliveries(client, endpoint_id):
    response = client.get(f"/api/v1/webhooks/endpoints/{endpoint_id}/deliveries/")
    assert response.status_code == 200
    return response.json()["results"]


def test_a_booking_reaches_the_endpoint_signed_with_its_public_contract(integration, receiver):
    endpoint = register(integration, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    allocation = book()
    pump()

    (body,) = receiver.verified(endpoint["secret"])
    event = Event.objects.get(type="resources.allocation.created", aggregate_id=str(allocation.pk))
    assert body["id"] == str(event.id) and body["type"] == "resources.allocation.created"
    assert body["data"]["allocation_id"] == allocation.pk
    assert "actor" not in body and "correlation_id" not in body  # internal, never sent
    headers = receiver.received[0]["headers"]
    assert headers["webhook-id"] == str(event.id)
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    (logged,) = deliveries(integration, endpoint["id"])
    assert logged["status"] == "done" and logged["status_code"] == 200
    assert logged["attempts"] == 1 and logged["duration_ms"] >= 0
    assert logged["position"] == Seal.objects.get(event_id=event.id).position
    # The secret is shown once.
    again = integration.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}/").json()
    assert "secret" not in again


def test_an_endpoint_gets_only_the_types_it_asked_for(integration, receiver):
    register(integration, receiver.url, event_types=["inventory.*"])
    book()
    pump()
    assert receiver.received == []


def test_a_500_is_retried_after_a_backoff_with_the_same_id(integration, receiver):
    endpoint = register(integration, receiver.url)
    receiver.plan = [500]
    book()
    pump()
    (logged,) = deliveries(integration, endpoint["id"])
    assert (logged["status"], logged["status_code"], logged["last_error"]) == (
        "pending", 500, "DeliveryFailed: HTTP 500"
    )  # fmt: skip
    pump(due_now=True)
    (logged,) = deliveries(integration, endpoint["id"])
    assert (logged["status"], logged["attempts"], logged["status_code"]) == ("done", 2, 200)
    first, second = receiver.received
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert len(receiver.verified(endpoint["secret"])) == 2


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(integration, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    endpoint = register(integration, receiver.url)
    receiver.plan = [("sleep", 1.0)]
    book()
    pump()
    (logged,) = deliveries(integration, endpoint["id"])
    assert logged["status"] == "pending" and "no answer within 0.3 s" in logged["last_error"]
    pump(due_now=True)
    assert deliveries(integration, endpoint["id"])[0]["status"] == "done"


def test_redirects_are_not_followed(integration, receiver):
    endpoint = register(integration, receiver.url)
    receiver.plan = [302]
    book()
    pump()
    assert len(receiver.received) == 1
    assert deliveries(integration, endpoint["id"])[0]["status_code"] == 302


def test_the_last_failed_attempt_is_a_dead_letter_and_too_many_disable_the_endpoint(
    integration, receiver, settings, client
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER_DEAD_LETTERS = 2
    endpoint = register(integration, receiver.url)
    receiver.plan = [500] * 10
    book(0)
    book(2)
    pump()
    pump(due_now=True)
    assert [d["status"] for d in deliveries(integration, endpoint["id"])] == ["dead", "dead"]
    assert services.webhook_endpoints_disable_failing() == 1
    disabled = WebhookEndpoint.objects.get(pk=endpoint["id"])
    assert not disabled.active and "2 deliveries failed" in disabled.disabled_reason
    # Its owner is told in the admin.
    client.force_login(integration.user)
    integration.user.is_staff = True
    integration.user.save()
    page = client.get("/admin/integrations/webhookendpoint/", follow=True)
    assert "2 deliveries failed for good" in page.content.decode()
    # Nothing more is handed to it until it is enabled again.
    book(4)
    pump()
    assert len(deliveries(integration, endpoint["id"])) == 2
    patched = integration.patch(
        f"/api/v1/webhooks/endpoints/{endpoint['id']}/", {"active": True}, format="json"
    )
    assert patched.json()["active"] is True and patched.json()["disabled_reason"] == ""


def test_replay_delivers_again_from_a_position_on(integration, receiver):
    endpoint = register(integration, receiver.url)
    allocations = [book(hour) for hour in (0, 2, 4)]
    pump()
    assert len(receiver.received) == 3
    second = Event.objects.get(aggregate_id=str(allocations[1].pk), type__endswith="created")
    position = Seal.objects.get(event_id=second.id).position
    response = integration.post(
        f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay/",
        {"from_position": position},
        format="json",
    )
    assert response.status_code == 202 and response.json() == {"deliveries": 2}
    pump()
    replayed = [
        message["data"]["allocation_id"] for message in receiver.verified(endpoint["secret"])
    ]
    assert replayed == [a.pk for a in allocations] + [a.pk for a in allocations[1:]]
    bad = integration.post(
        f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay/", {"from_position": 0}, format="json"
    )
    assert_problem(bad, 400)


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(integration, receiver):
    endpoint = register(integration, receiver.url)
    rotated = integration.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret/")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"] and rotated.json()["previous_secret_expires_at"]
    book(0)
    pump()
    assert len(receiver.verified(endpoint["secret"])) == len(receiver.verified(new_secret)) == 1
    assert len(receiver.received[0]["headers"]["webhook-signature"].split(" ")) == 2
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    book(2)
    pump()
    assert len(receiver.verified(endpoint["secret"])) == 1  # the old one no longer signs
    assert len(receiver.verified(new_secret)) == 2


def readme_block(language: str, containing: str) -> str:
    """A code block of the README's Integrate section."""
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    blocks = re.findall(rf"```{language}\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [block for block in blocks if containing in block]
    return block


def test_the_documented_recipes_verify_a_delivery(integration, receiver, tmp_path):
    endpoint = register(integration, receiver.url)
    book()
    pump()
    (message,) = receiver.received
    headers, body = message["headers"], message["body"]
    # The Python recipe, as the README gives it.
    recipe: dict = {}
    exec(readme_block("python", "def verified"), recipe)  # noqa: S102  the README's own code
    lowered = {name.lower(): value for name, value in headers.items()}
    assert recipe["verified"](endpoint["secret"], lowered, body.encode())
    tampered = json.dumps({**json.loads(body), "type": "orders.order.paid"}).encode()
    assert not recipe["verified"](endpoint["secret"], lowered, tampered)
    assert not recipe["verified"](new_secret(), lowered, body.encode())
    # The curl + openssl recipe, run by the shell.
    (tmp_path / "body.json").write_text(body)
    digest = subprocess.run(
        ["sh", "-c", readme_block("sh", "openssl dgst")],
        cwd=tmp_path,
        env={**os.environ, "SECRET": endpoint["secret"], "WEBHOOK_ID": lowered["webhook-id"],
             "WEBHOOK_TIMESTAMP": lowered["webhook-timestamp"]},
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert lowered["webhook-signature"] == f"v1,{digest}"


def test_a_test_event_goes_to_its_endpoint_only(integration, client_as, receiver):
    endpoint = register(integration, receiver.url, event_types=["orders.*"])
    other = Receiver()
    try:
        register(client_as("Integration"), other.url, event_types=["*"])
        response = integration.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/test/")
        assert response.status_code == 202
        pump()
        (body,) = receiver.verified(endpoint["secret"])
        assert body["type"] == "integrations.webhook.tested"
        assert body["data"]["endpoint_id"] == endpoint["id"]
        assert other.received == []
    finally:
        other.server.shutdown()


def test_a_failing_endpoint_does_not_make_the_others_of_its_batch_post_twice(
    integration, client_as, receiver
):
    failing = Receiver()
    try:
        register(integration, receiver.url)
        register(client_as("Integration"), failing.url)
        failing.plan = [500]
        book()
        pump()
        assert len(receiver.received) == 1 and len(failing.received) == 1
    finally:
        failing.server.shutdown()


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://example.com/hooks", "must use HTTPS"),
        ("https://127.0.0.1/hooks", "not a public address"),
        ("https://localhost/hooks", "not a public address"),
        ("https://10.1.2.3/hooks", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/hooks", "not a public address"),
        ("https://user:pw@example.com/hooks", "must not carry credentials"),
    ],
)
def test_production_refuses_urls_it_must_not_call(integration, settings, url, refusal):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = integration.post(
        "/api/v1/webhooks/endpoints/", {"url": url, "event_types": ["*"]}, format="json"
    )
    body = assert_problem(response, 400)
    assert refusal in " ".join(body["errors"]["url"])
    assert not WebhookEndpoint.objects.exists()


def test_a_url_that_turned_private_is_refused_at_delivery(integration, receiver, settings):
    endpoint = register(integration, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # as production: 127.0.0.1 is not public
    book()
    pump()
    assert receiver.received == []
    (logged,) = deliveries(integration, endpoint["id"])
    assert logged["status"] == "pending" and "not a public address" in logged["last_error"]


def test_unknown_event_types_are_refused(integration, receiver):
    response = integration.post(
        "/api/v1/webhooks/endpoints/",
        {"url": receiver.url, "event_types": ["nothing.such.*"]},
        format="json",
    )
    assert "match no public event type" in " ".join(
        assert_problem(response, 400)["errors"]["event_types"]
    )


def test_an_integration_sees_and_changes_only_its_own_endpoints(integration, client_as, receiver):
    mine = register(integration, receiver.url)
    theirs = register(client_as("Integration"), receiver.url)
    listed = integration.get("/api/v1/webhooks/endpoints/").json()["results"]
    assert [e["id"] for e in listed] == [mine["id"]]
    for method, suffix in (("get", ""), ("patch", ""), ("delete", ""), ("post", "/test"),
                           ("get", "/deliveries"), ("post", "/rotate-secret")):  # fmt: skip
        response = getattr(integration, method)(
            f"/api/v1/webhooks/endpoints/{theirs['id']}{suffix}/", {}, format="json"
        )
        assert response.status_code == 404, (method, suffix)
    admin = client_as("Admin")
    assert len(admin.get("/api/v1/webhooks/endpoints/").json()["results"]) == 2
    assert admin.delete(f"/api/v1/webhooks/endpoints/{theirs['id']}/").status_code == 204
    assert Event.objects.filter(type="integrations.webhook_endpoint.deleted").exists()


def test_the_admin_registers_an_endpoint_and_shows_its_secret_once(client, receiver):
    admin = UserFactory(roles=["Admin"], is_staff=True)
    client.force_login(admin)
    page = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"owner": admin.pk, "url": receiver.url, "event_types": "resources.*,orders.*",
         "description": "ERP", "active": "on"},
        follow=True,
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["resources.*", "orders.*"]
    assert endpoint.secret in page.content.decode()
    assert (
        endpoint.secret
        not in client.get(
            f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/"
        ).content.decode()
    )
    refused = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"owner": admin.pk, "url": receiver.url, "event_types": "nothing.*", "active": "on"},
    )
    assert refused.status_code == 200 and "match no public event type" in refused.content.decode()
    log = client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/deliveries/")
    assert log.status_code == 200 and "Nothing was delivered" in log.content.decode()
