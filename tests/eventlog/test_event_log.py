"""The audit log: one envelope per event, written with its deliveries, never changed."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.eventlog import signing
from apps.eventlog.contracts import ContractViolation, EventType
from apps.eventlog.models import Delivery, Event
from apps.eventlog.registry import registry
from apps.eventlog.services import EmitOutsideTransaction, UndeclaredEventType, event_emit
from apps.resources.events import ALLOCATION_CREATED
from tests.eventsapp.events import declared
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def emit(type="testing.thing.happened", **overrides):
    fields = {"aggregate_id": "42", "payload": {"n": 1}, "actor": None}
    with transaction.atomic():
        return event_emit(declared(type), **{**fields, **overrides})


def as_signed_dict(event: Event) -> dict:
    return {name: getattr(event, name) for name in signing.SIGNED_FIELDS}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emit_refuses_to_run_outside_a_transaction():
    before = Event.objects.filter(type="testing.thing.happened").count()
    with pytest.raises(EmitOutsideTransaction):
        event_emit(
            declared("testing.thing.happened"),
            aggregate_id=1,
            payload={},
            actor=None,
        )
    assert Event.objects.filter(type="testing.thing.happened").count() == before


@pytest.mark.parametrize("bad_type", ["Orders.placed", "orders", "orders..placed", "1a.b"])
def test_malformed_types_cannot_be_declared(bad_type):
    with pytest.raises(ValueError, match="not an event type"):
        registry.declare(bad_type, aggregate_type="t", public=None, example={})


def test_emit_refuses_a_type_no_app_declares():
    undeclared = EventType(
        name="testing.thing.undeclared", version=1, aggregate_type="testing.thing",
        public=None, example={},
    )  # fmt: skip
    with pytest.raises(UndeclaredEventType), transaction.atomic():
        event_emit(undeclared, aggregate_id="1", payload={}, actor=None)
    assert not Event.objects.filter(type="testing.thing.undeclared").exists()


def test_emit_refuses_a_payload_its_public_contract_cannot_be_made_from():
    with pytest.raises(ContractViolation, match="project_id"), transaction.atomic():
        event_emit(ALLOCATION_CREATED, aggregate_id="1", payload={"allocation_id": 1}, actor=None)
    assert not Event.objects.filter(aggregate_type="resources.allocation").exists()


def test_emit_records_a_signed_envelope():
    user = UserFactory(username="alice")
    recorded = emit(actor=user, payload={"price": 1.5, "name": "ü"})
    event = Event.objects.get(id=recorded.id)
    assert event.seq == recorded.seq
    assert event.type == "testing.thing.happened"
    assert (event.aggregate_type, event.aggregate_id, event.version) == ("testing.thing", "42", 1)
    assert event.actor == {"type": "user", "id": str(user.pk), "username": "alice", "auth": "cli"}
    assert event.payload == {"price": 1.5, "name": "ü"}
    assert event.occurred_at == event.recorded_at
    assert signing.signature_valid(as_signed_dict(event), event.signature, event.key_id)


def test_sequence_numbers_increase():
    first, second = emit(), emit()
    assert second.seq > first.seq


def test_the_append_is_prepared_once_per_connection():
    """Parsing and planning the append on every write doubled its cost."""
    emit(), emit()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%INSERT INTO audit_event%"],
        )
        assert cursor.fetchone()[0] == 1


def test_one_delivery_per_subscriber_of_the_type():
    registry.subscriber("test.exact", event_types=["testing.thing.happened"])(lambda e: None)
    registry.subscriber("test.prefix", event_types=["testing.*"])(lambda e: None)
    registry.subscriber("test.other", event_types=["orders.*"])(lambda e: None)
    try:
        recorded = emit()
    finally:
        for name in ("test.exact", "test.prefix", "test.other"):
            registry.unregister(name)
    deliveries = Delivery.objects.filter(event_id=recorded.id)
    assert sorted(d.subscriber for d in deliveries) >= ["test.exact", "test.prefix"]
    assert "test.other" not in {d.subscriber for d in deliveries}
    assert all(d.status == "pending" and d.event_type == recorded.type for d in deliveries)


def test_an_api_write_is_audited_with_the_request_id_and_how_the_caller_authenticated(client_as):
    admin = client_as("Admin")
    response = admin.put(
        "/api/v1/settings/orders.discount/", {"value": 5}, HTTP_X_REQUEST_ID="req-audit-1"
    )
    assert response.status_code == 201
    event = Event.objects.get(type="core.setting.changed", aggregate_id="orders.discount")
    assert event.correlation_id == response["X-Request-ID"]  # the portal's id, not the caller's
    assert event.actor["client_request_id"] == "req-audit-1"
    assert event.actor["username"] == admin.user.username
    assert event.actor["auth"] == "token"
    assert event.payload == {
        "key": "orders.discount",
        "value": 5,
        "description": "",
        "created": True,
    }


def test_a_refused_write_records_no_event(client_as):
    client_as("Admin").put("/api/v1/settings/BAD/ KEY", {"value": 1})
    assert not Event.objects.filter(type="core.setting.changed").exists()


def test_deleting_a_setting_is_audited(client_as):
    admin = client_as("Admin")
    admin.put("/api/v1/settings/old.key/", {"value": [1]})
    admin.delete("/api/v1/settings/old.key/")
    event = Event.objects.get(type="core.setting.deleted")
    assert event.payload == {"key": "old.key", "last_value": [1]}


def test_token_issue_and_revoke_are_audited_without_the_secret():
    UserFactory(username="erp")
    out = io.StringIO()
    call_command("issue_token", "erp", stdout=out, stderr=io.StringIO())
    secret = out.getvalue().strip()
    issued = Event.objects.get(type="accounts.token.issued")
    assert issued.payload["user"] == "erp"
    assert secret not in str(issued.payload)
    assert issued.actor["type"] == "system"

    from apps.accounts import services
    from apps.accounts.models import ApiToken

    services.api_token_revoke(token=ApiToken.objects.get(), actor=UserFactory())
    assert Event.objects.filter(type="accounts.token.revoked").count() == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET type = 'x.y'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "UPDATE audit_seal SET chain = ''",
        "DELETE FROM audit_seal",
        "TRUNCATE audit_seal",
        "UPDATE audit_event_id SET recorded_at = now()",
        "DELETE FROM audit_event_id",
        "TRUNCATE audit_event_id",
        "DELETE FROM audit_cluster",
    ],
)
def test_the_database_refuses_to_change_the_log(statement):
    recorded = emit()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_seal (position, event_id, event_recorded_at, digest, chain,"
            " through_xid, key_id) VALUES (1, %s, %s, '', '', pg_current_xact_id(), 'k')",
            [recorded.id, recorded.recorded_at],
        )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_truncating_a_monthly_partition_directly_is_refused():
    recorded = emit()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_event WHERE id = %s", [recorded.id]
        )
        partition = cursor.fetchone()[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {partition}")


def test_the_orm_cannot_change_the_log_either():
    recorded = emit()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(id=recorded.id).update(type="testing.thing.forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(id=recorded.id).delete()
    assert Event.objects.get(id=recorded.id).type == "testing.thing.happened"


def partition_of(recorded_at: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_event (id, type, aggregate_type, aggregate_id, actor,
                                     occurred_at, recorded_at, payload, signature, key_id)
            VALUES (%s, 'testing.boundary.crossed', 't', '1', '{}', %s, %s, '{}', '', 'x')
            RETURNING tableoid::regclass::text
            """,
            [uuid.uuid4(), recorded_at, recorded_at],
        )
        return cursor.fetchone()[0]


def test_monthly_partitions_split_at_utc_month_boundaries():
    from apps.eventlog.services import audit_partitions_ensure

    assert audit_partitions_ensure(months=2, first_month="2031-01-15") == 2
    assert audit_partitions_ensure(months=2, first_month="2031-01-01") == 0
    assert partition_of("2031-01-31T23:59:59.999999+00:00") == "audit_event_2031_01"
    assert partition_of("2031-02-01T00:00:00+00:00") == "audit_event_2031_02"
    # 00:30 in Berlin on Feb 1st is still January in UTC.
    assert partition_of("2031-02-01T00:30:00+01:00") == "audit_event_2031_01"
    assert partition_of("2031-03-01T00:00:00+00:00") == "audit_event_default"


def test_twelve_months_are_ready_and_the_command_adds_more():
    from apps.eventlog.selectors import audit_partitions

    monthly = [name for name in audit_partitions() if name != "audit_event_default"]
    assert len(monthly) >= 12
    out = io.StringIO()
    call_command("ensure_audit_partitions", "--months", "15", stdout=out)
    after = [name for name in audit_partitions() if name != "audit_event_default"]
    assert len(after) >= 15
    assert "Created 3 partition(s)" in out.getvalue()


def test_numbers_that_jsonb_rewrites_still_verify():
    payload = {"big": 1e16, "huge": 1.5e300, "neg_zero": -0.0, "small": 1e-7, "plain": 0.1}
    recorded = emit(payload=payload)
    event = Event.objects.get(id=recorded.id)
    assert event.payload["big"] == 10**16
    assert signing.signature_valid(as_signed_dict(event), event.signature, event.key_id)
