"""Dead letters can be listed and replayed: from the command line, the admin and the API."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from apps.eventlog.models import Delivery, Event
from apps.eventlog.relay import relay_batch
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.factories import UserFactory
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_letter(settings):
    settings.EVENTS_MAX_ATTEMPTS = 1
    with transaction.atomic():
        recorded = event_emit(
            declared("failing.thing.happened"), aggregate_id=uuid.uuid4().hex, payload={},
            actor=None,
        )  # fmt: skip
    relay_batch()
    letter = Delivery.objects.get(event_id=recorded.id, subscriber="testing.always_fails")
    assert letter.status == "dead"
    return letter


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_list_dlq_shows_dead_letters_with_their_error(dead_letter):
    out, err = run("list_dlq", "--since", "1h", "--subscriber", "testing.always_fails")
    assert str(dead_letter.pk) in out
    assert "cannot handle failing.thing.happened" in out
    assert "1 dead letter(s)" in err
    out, _ = run("list_dlq", "--subscriber", "someone.else")
    assert out == ""


def test_list_dlq_since_leaves_out_older_ones(dead_letter):
    Delivery.objects.filter(pk=dead_letter.pk).update(updated_at=timezone.now() - timedelta(days=2))
    out, _ = run("list_dlq", "--since", "2h")
    assert str(dead_letter.pk) not in out


def test_replay_dlq_gives_fresh_attempts_and_is_audited(dead_letter, settings):
    out, _err = run("replay_dlq", "--id", str(dead_letter.pk))
    assert f"replayed {dead_letter.pk}" in out
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.attempts) == ("pending", 0)
    assert dead_letter.next_attempt_at <= timezone.now()
    replayed = Event.objects.get(type="events.dead_letter.replayed")
    assert replayed.payload["delivery"] == dead_letter.pk
    settings.EVENTS_MAX_ATTEMPTS = 5
    relay_batch()
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.attempts) == ("pending", 1)  # it still fails


def test_replay_dlq_leaves_live_deliveries_alone(dead_letter):
    Delivery.objects.filter(pk=dead_letter.pk).update(status="done")
    _, err = run("replay_dlq")
    assert "0 dead letter(s) replayed" in err


def test_the_api_lists_and_replays_dead_letters_for_admins(client_as, dead_letter):
    admin = client_as("Admin")
    listing = admin.get("/api/v1/ops/dead-letters/", {"subscriber": "testing.always_fails"})
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [dead_letter.pk]
    replayed = admin.post(f"/api/v1/ops/dead-letters/{dead_letter.pk}/replay/")
    assert replayed.status_code == 200
    assert replayed.json()["status"] == "pending"
    again = admin.post(f"/api/v1/ops/dead-letters/{dead_letter.pk}/replay/")
    assert_problem(again, 409, "not-a-dead-letter")
    assert_problem(admin.post("/api/v1/ops/dead-letters/999999999/replay/"), 404)


@pytest.mark.parametrize("role", [None, "Viewer", "Operator", "AuditViewer", "Integration"])
def test_only_admins_see_or_replay_dead_letters(client_as, dead_letter, role):
    client = client_as(role) if role else client_as()
    assert_problem(client.get("/api/v1/ops/dead-letters/"), 403)
    assert_problem(client.post(f"/api/v1/ops/dead-letters/{dead_letter.pk}/replay/"), 403)


def test_anonymous_callers_get_401(api_client, dead_letter):
    assert_problem(api_client.get("/api/v1/ops/dead-letters/"), 401)
    assert_problem(api_client.post(f"/api/v1/ops/dead-letters/{dead_letter.pk}/replay/"), 401)


def test_the_admin_replays_dead_letters_with_an_action(client, dead_letter):
    client.force_login(UserFactory(is_staff=True, roles=["Admin"]))
    assert client.get("/admin/eventlog/delivery/?status__exact=dead").status_code == 200
    response = client.post(
        "/admin/eventlog/delivery/",
        {"action": "replay", "_selected_action": [str(dead_letter.pk)]},
    )
    assert response.status_code == 302
    dead_letter.refresh_from_db()
    assert dead_letter.status == "pending"
