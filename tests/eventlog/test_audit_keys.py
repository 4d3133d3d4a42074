"""The audit log has keys of its own: they rotate without losing the history, and
SECRET_KEY rotates without touching them."""

import io
import json
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from apps.eventlog.keys import checked_audit_keys
from apps.eventlog.models import Event
from apps.eventlog.sealing import audit_seal_pending, audit_verify
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emit():
    with transaction.atomic():
        return event_emit(
            declared("testing.thing.happened"), aggregate_id="keys", payload={}, actor=None
        )


def seal_everything():
    while audit_seal_pending():
        pass


def seal_key_of(event_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_id FROM audit_seal WHERE event_id = %s", [event_id])
        return cursor.fetchone()[0]


def test_events_signed_under_an_old_key_verify_after_a_new_one_signs(settings):
    """The test settings hold keys 2026-a and 2026-b beside the one tests sign with."""
    settings.AUDIT_SIGNING_KEY_ID = "2026-a"
    under_a = emit()
    seal_everything()

    settings.AUDIT_SIGNING_KEY_ID = "2026-b"  # A verifies only
    under_b = emit()
    seal_everything()

    assert Event.objects.get(id=under_a.id).key_id == "2026-a"
    assert Event.objects.get(id=under_b.id).key_id == "2026-b"
    assert (seal_key_of(under_a.id), seal_key_of(under_b.id)) == ("2026-a", "2026-b")
    assert audit_verify().ok

    # SECRET_KEY (sessions, tokens) changes: the audit does not care.
    settings.SECRET_KEY = "another-secret-" + uuid.uuid4().hex + uuid.uuid4().hex
    assert audit_verify().ok

    # Without key A, what it signed no longer verifies.
    settings.AUDIT_SIGNING_KEYS = {
        key_id: key for key_id, key in settings.AUDIT_SIGNING_KEYS.items() if key_id != "2026-a"
    }
    result = audit_verify()
    assert not result.ok
    assert "'2026-a', which is not among AUDIT_SIGNING_KEYS" in result.reason


def test_the_rotate_command_makes_a_strong_active_key_and_keeps_the_others(settings):
    out = io.StringIO()
    call_command("audit_rotate_key", "--id", "2026-c", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    keys = json.loads(lines["AUDIT_SIGNING_KEYS"])
    assert lines["AUDIT_SIGNING_KEY_ID"] == "2026-c"
    assert {k: v for k, v in keys.items() if k != "2026-c"} == settings.AUDIT_SIGNING_KEYS
    assert len(keys["2026-c"]) >= 60
    assert checked_audit_keys(keys, "2026-c", settings.SECRET_KEY) == (keys, "2026-c")


@pytest.mark.parametrize(
    ("keys", "active", "complaint"),
    [
        ({"k1": "short"}, "k1", "too weak"),
        ({"k1": "a" * 60}, "k1", "too weak"),
        ({"Bad Id": uuid.uuid4().hex + uuid.uuid4().hex}, "Bad Id", "not a key id"),
        ({"k1": "k" + uuid.uuid4().hex + uuid.uuid4().hex}, "k2", "must name one"),
        (["not", "an", "object"], "k1", "JSON object"),
    ],
)
def test_weak_or_inconsistent_audit_keys_are_refused(keys, active, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        checked_audit_keys(keys, active, "x" * 60)


def test_without_keys_of_its_own_the_log_is_keyed_by_secret_key_as_before():
    assert checked_audit_keys({}, "", "s" * 60) == ({"secret-key": "s" * 60}, "secret-key")
