"""GET /api/v1/events/ (and one, and as CSV) for auditors; POST for integrations."""

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.eventlog.models import Event
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.factories import UserFactory
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


def emit(type="testing.order.placed", aggregate_id="o-1", actor=None, **payload):
    with transaction.atomic():
        return event_emit(
            declared(type), aggregate_id=aggregate_id, payload=payload, actor=actor,
        )  # fmt: skip


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_auditors_read_the_log_newest_first(client_as):
    first, second = emit(n=1), emit(n=2)
    listing = client_as("AuditViewer").get(URL, {"aggregate_id": "o-1"})
    assert ids(listing) == [str(second.id), str(first.id)]
    row = listing.json()["results"][0]
    assert row["type"] == "testing.order.placed"
    assert row["payload"] == {"n": 2}
    assert row["recorded_at"].endswith("Z")


def test_filters_by_type_exact_and_prefix_actor_correlation_and_time(client_as):
    alice = UserFactory(username="alice-audit")
    placed = emit("testing.order.placed", aggregate_id="f-1", actor=alice)
    paid = emit("testing.order.paid", aggregate_id="f-1")
    other = emit("testing.stock.moved", aggregate_id="f-1")
    auditor = client_as("AuditViewer")
    base = {"aggregate_id": "f-1"}
    assert ids(auditor.get(URL, {**base, "type": "testing.order.placed"})) == [str(placed.id)]
    assert set(ids(auditor.get(URL, {**base, "type": "testing.order.*"}))) == {
        str(placed.id),
        str(paid.id),
    }
    assert ids(auditor.get(URL, {**base, "actor": "alice-audit"})) == [str(placed.id)]
    assert ids(auditor.get(URL, {**base, "aggregate_type": "testing.stock"})) == [str(other.id)]
    recorded = Event.objects.get(id=paid.id).recorded_at
    assert ids(
        auditor.get(
            URL,
            {
                **base,
                "from": recorded.isoformat(),
                "to": (recorded + timedelta(microseconds=1)).isoformat(),
            },
        )
    ) == [str(paid.id)]


def test_filter_by_correlation_id(client_as):
    admin = client_as("Admin")
    written = admin.put("/api/v1/settings/corr.test/", {"value": 1}, HTTP_X_REQUEST_ID="corr-77")
    request_id = written["X-Request-ID"]
    rows = client_as("AuditViewer").get(URL, {"correlation_id": request_id}).json()["results"]
    assert [row["type"] for row in rows] == ["core.setting.changed"]


def test_the_log_is_paginated_by_cursor(client_as):
    made = [emit(aggregate_id="page-1", n=n) for n in range(5)]
    auditor = client_as("AuditViewer")
    first = auditor.get(URL, {"aggregate_id": "page-1", "page_size": 2}).json()
    second = auditor.get(first["next"]).json()
    third = auditor.get(second["next"]).json()
    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == [str(event.id) for event in reversed(made)]
    assert third["next"] is None


def test_one_event_by_id(client_as):
    made = emit()
    response = client_as("Admin").get(f"{URL}{made.id}/")
    assert response.status_code == 200
    assert response.json()["seq"] == made.seq
    assert_problem(client_as("Admin").get(f"{URL}{uuid.uuid4()}/"), 404)


def test_export_streams_csv_with_the_same_filters(client_as):
    emit(aggregate_id="csv-1", n=1)
    emit(aggregate_id="csv-1", n=2)
    emit(aggregate_id="csv-2", n=3)
    response = client_as("AuditViewer").get(f"{URL}export/", {"aggregate_id": "csv-1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["aggregate_id"] for row in rows] == ["csv-1", "csv-1"]
    assert json.loads(rows[0]["payload"]) == {"n": 2}
    assert json.loads(rows[0]["actor"])["type"] == "system"
    assert rows[0]["recorded_at"].endswith("Z")


def test_export_answers_who_asks_for_csv_by_name(client_as):
    auditor = client_as("AuditViewer")
    for accept in ("text/csv", "text/*", "*/*"):
        assert auditor.get(f"{URL}export/", HTTP_ACCEPT=accept).status_code == 200, accept
    refused = auditor.get(f"{URL}export/", HTTP_ACCEPT="application/xml")
    assert refused.status_code == 406
    assert refused["Content-Type"] == "application/problem+json"


def test_export_refuses_a_malformed_filter(client_as):
    auditor = client_as("AuditViewer")
    assert_problem(auditor.get(f"{URL}export/", {"recorded_after": "yesterday"}), 400)


def valid_body(**overrides):
    return {
        "type": "erp.invoice.paid",
        "aggregate_type": "erp.invoice",
        "aggregate_id": "INV-1",
        "occurred_at": timezone.now().isoformat(),
        "payload": {"amount": "12.50"},
        **overrides,
    }


def test_an_integration_appends_an_event(client_as):
    integration = client_as("Integration")
    response = integration.post(URL, valid_body(), format="json")
    assert response.status_code == 201
    stored = Event.objects.get(id=response.json()["id"])
    assert stored.type == "erp.invoice.paid"
    assert stored.actor["username"] == integration.user.username
    assert stored.actor["auth"] == "token"


def test_the_same_id_and_body_returns_the_stored_event_and_another_body_conflicts(client_as):
    integration = client_as("Integration")
    body = valid_body(id=str(uuid.uuid4()))
    assert integration.post(URL, body, format="json").status_code == 201
    again = integration.post(URL, body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Event.objects.filter(id=body["id"]).count() == 1
    changed = integration.post(URL, {**body, "payload": {"amount": "99"}}, format="json")
    assert_problem(changed, 409, "event-id-reused")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "Not.Valid"}, "type"),
        ({"type": "nodots"}, "type"),
        ({"payload": {"blob": "x" * (64 * 1024 + 1)}}, "payload"),
        ({"payload": ["not", "an", "object"]}, "payload"),
        ({"payload": {"text": "nul\x00"}}, "payload"),
        # Evaluated at collection, so far enough ahead to stay beyond the skew allowance
        # however long the suite runs before this case.
        ({"occurred_at": (timezone.now() + timedelta(hours=6)).isoformat()}, "occurred_at"),
        ({"occurred_at": "not a time"}, "occurred_at"),
        ({"id": "not-a-uuid"}, "id"),
    ],
)
def test_invalid_events_are_refused_with_a_field_error(client_as, overrides, field):
    integration = client_as("Integration")  # issuing its token is itself an event
    before = Event.objects.count()
    response = integration.post(URL, valid_body(**overrides), format="json")
    body = assert_problem(response, 400, "validation-error")
    assert field in body["errors"]
    assert Event.objects.count() == before


def test_an_event_four_minutes_ahead_is_accepted(client_as):
    soon = (timezone.now() + timedelta(minutes=4)).isoformat()
    assert (
        client_as("Integration").post(URL, valid_body(occurred_at=soon), format="json").status_code
        == 201
    )


@pytest.mark.parametrize("role", [None, "Viewer", "Operator", "Warehouse", "Integration"])
def test_reading_the_log_is_for_auditors_and_admins_only(client_as, role):
    client = client_as(role) if role else client_as()
    made = emit()
    assert_problem(client.get(URL), 403)
    assert_problem(client.get(f"{URL}{made.id}/"), 403)
    assert_problem(client.get(f"{URL}export/"), 403)


@pytest.mark.parametrize("role", [None, "Viewer", "AuditViewer", "Admin"])
def test_appending_is_for_integrations_only(client_as, role):
    client = client_as(role) if role else client_as()
    assert_problem(client.post(URL, valid_body(), format="json"), 403)


def test_anonymous_callers_get_401_everywhere(api_client):
    made = emit()
    for response in (
        api_client.get(URL),
        api_client.get(f"{URL}{made.id}/"),
        api_client.get(f"{URL}export/"),
        api_client.post(URL, valid_body(), format="json"),
    ):
        assert_problem(response, 401)


@pytest.mark.parametrize(
    "portal_type",
    [
        "core.setting.changed",
        "testing.order.placed",
        "payments.payment.authorized",
        "audit.event.recorded",
    ],
)
def test_integrations_cannot_send_the_portals_own_event_types(client_as, portal_type):
    response = client_as("Integration").post(URL, valid_body(type=portal_type), format="json")
    body = assert_problem(response, 400, "validation-error")
    assert "the portal's own" in body["errors"]["type"][0]


@pytest.mark.parametrize(
    "payload_json",
    ['{"text": "lone \\ud800 surrogate"}', '{"deep": ' + "[" * 70 + "1" + "]" * 70 + "}"],
)
def test_payloads_the_database_cannot_store_are_400(client_as, payload_json):
    body = (
        json.dumps(valid_body(payload=None))[:-1].replace(
            '"payload": null', '"payload": ' + payload_json
        )
        + "}"
    )
    response = client_as("Integration").post(URL, data=body, content_type="application/json")
    problem = assert_problem(response, 400, "validation-error")
    assert "payload" in problem["errors"]


@pytest.mark.parametrize("path", [URL, "/api/v1/ops/dead-letters/"])
def test_a_forged_cursor_position_is_a_400(client_as, path):
    import base64

    forged = base64.b64encode(b"p=not-a-number").decode()
    assert_problem(client_as("Admin").get(path, {"cursor": forged}), 400)


def test_exported_text_never_runs_as_a_spreadsheet_formula(client_as):
    emit(aggregate_id='=HYPERLINK("http://x")')
    response = client_as("AuditViewer").get(
        f"{URL}export/", {"aggregate_id": '=HYPERLINK("http://x")'}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["aggregate_id"].startswith("'=")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_carry_their_commit_order_position_and_a_client_resumes_from_one(client_as):
    from apps.eventlog.sealing import audit_seal_pending

    auditor = client_as("AuditViewer")
    first = emit(aggregate_id="pos-1")
    unsealed = auditor.get(URL, {"aggregate_id": "pos-1"}).json()["results"][0]
    assert unsealed["position"] is None  # not sealed yet: no place in commit order
    audit_seal_pending()
    sealed = auditor.get(URL, {"aggregate_id": "pos-1"}).json()["results"][0]
    assert isinstance(sealed["position"], int)
    second, third = emit(aggregate_id="pos-2"), emit(aggregate_id="pos-2")
    audit_seal_pending()
    resumed = auditor.get(URL, {"since_position": sealed["position"], "page_size": 1})
    assert ids(resumed) == [str(second.id)]  # oldest first: the next in commit order
    following = auditor.get(resumed.json()["next"])
    assert ids(following) == [str(third.id)]
    assert following.json()["results"][0]["position"] == sealed["position"] + 2
    assert str(first.id) not in ids(auditor.get(URL, {"since_position": sealed["position"]}))


@pytest.mark.parametrize("bad", ["-1", "x", str(2**63)])
def test_a_bad_since_position_is_a_400(client_as, bad):
    response = client_as("AuditViewer").get(URL, {"since_position": bad})
    assert_problem(response, 400, "validation-error")


def test_an_integration_past_its_events_per_minute_gets_429_with_retry_after(client_as, settings):
    settings.EVENTS_INGEST_RATE = "3/min"
    integration, other = client_as("Integration"), client_as("Integration")
    answers = [integration.post(URL, valid_body(), format="json").status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    refused = integration.post(URL, valid_body(), format="json")
    body = assert_problem(refused, 429)
    assert 1 <= int(refused["Retry-After"]) <= 60 and body["status"] == 429
    assert Event.objects.filter(type=valid_body()["type"]).count() == 3  # nothing half-written
    assert other.post(URL, valid_body(), format="json").status_code == 201  # per integration
    assert integration.get(URL).status_code == 403  # reading is not counted (nor allowed)


def test_an_integration_past_its_bytes_per_day_gets_429_until_tomorrow(client_as, settings):
    body = json.dumps(valid_body())
    settings.EVENTS_INGEST_BYTES_PER_DAY = len(body) * 2
    integration = client_as("Integration")
    post = lambda: integration.post(URL, data=body, content_type="application/json")  # noqa: E731
    assert [post().status_code for _ in range(3)] == [201, 201, 429]
    refused = post()
    assert_problem(refused, 429)
    assert 60 < int(refused["Retry-After"]) <= 86400
