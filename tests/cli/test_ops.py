"""fusionops dlq list / replay, and verify-audit (with checkpoints, and on a broken log)."""

import json
import uuid

import pytest
from django.db import connection, transaction

from apps.eventlog.checkpoints import checkpoint_write
from apps.eventlog.models import Delivery
from apps.eventlog.sealing import audit_seal_pending
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.factories import UserFactory, issue_token
from tests.processes import stop, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def admin():
    return issue_token(UserFactory(roles=["Admin"]))


def emit(run: str, n: int = 0):
    with transaction.atomic():
        return event_emit(
            declared("failing.thing.happened"), aggregate_id=run, payload={"n": n}, actor=None
        )


@pytest.fixture
def dead_letter(portal):
    """A delivery that failed its last attempt (made dead outright, with the portal's
    worker stopped so that it does not try it meanwhile)."""
    stop([portal.worker])
    recorded = emit(uuid.uuid4().hex)
    letter = Delivery.objects.get(event_id=recorded.id, subscriber="testing.always_fails")
    Delivery.objects.filter(pk=letter.pk).update(
        status="dead", attempts=5, last_error="RuntimeError: cannot handle failing.thing.happened"
    )
    return letter


def test_dlq_lists_dead_letters_and_replays_one(fusionops, admin, dead_letter):
    listed = fusionops.run("dlq", "list", token=admin)
    rows = fusionops.json("dlq", "list", "--subscriber", "testing.always_fails", token=admin)

    assert listed.exit_code == 0, listed.output
    assert "testing.always_fails" in listed.stdout
    assert "cannot handle failing.thing.happened" in listed.stdout
    assert [row["id"] for row in rows] == [dead_letter.pk]

    replayed = fusionops.json("dlq", "replay", dead_letter.pk, token=admin)

    assert (replayed["id"], replayed["status"], replayed["attempts"]) == (
        dead_letter.pk,
        "pending",
        0,
    )
    again = fusionops.run("dlq", "replay", dead_letter.pk, token=admin)
    assert again.exit_code == 5  # no longer a dead letter
    assert fusionops.run("dlq", "replay", 999_999_999, token=admin).exit_code == 4


def test_dlq_is_for_admins(fusionops, dead_letter):
    operator = issue_token(UserFactory(roles=["Operator"]))

    assert fusionops.run("dlq", "list", token=operator).exit_code == 3
    assert fusionops.run("dlq", "replay", dead_letter.pk, token=operator).exit_code == 3


def sealed(event) -> None:
    """Until `event` is in the chain (the portal's worker seals beside this process: only
    one sealer runs at a time)."""

    def in_chain():
        audit_seal_pending()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM audit_seal WHERE event_id = %s", [event.id])
            return cursor.fetchone() is not None

    assert wait_until(in_chain, 30)


def test_verify_audit_says_the_log_holds_and_checks_the_checkpoints_given(
    fusionops, tmp_path, admin
):
    sealed(emit(uuid.uuid4().hex))
    directory = tmp_path / "checkpoints"
    checkpoint = checkpoint_write(directory)
    lines = tmp_path / "audit.log"
    lines.write_text(
        json.dumps({"event": "audit.request", "path": "/"})
        + "\n"
        + json.dumps({"event": "audit.checkpoint", "level": "info", **checkpoint.as_dict()})
        + "\n"
    )

    shown = fusionops.run("verify-audit", token=admin)
    from_files = fusionops.json("verify-audit", "--checkpoints", directory, token=admin)
    from_lines = fusionops.json("verify-audit", "--checkpoints", lines, token=admin)

    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("OK")
    assert from_files["ok"] is True
    assert from_files["checkpoints_held"] == 1
    assert from_files["events"] >= 1
    assert from_lines["checkpoints_held"] == 1


def without_triggers(sql: str, params=()) -> None:
    """As a superuser who switched the append-only triggers off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_verify_audit_exits_8_when_the_log_was_tampered_with(fusionops, admin):
    target = emit(uuid.uuid4().hex, n=1)
    sealed(target)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload::text FROM audit_event WHERE id = %s", [target.id])
        [original] = cursor.fetchone()
    without_triggers("UPDATE audit_event SET payload = '{\"n\": 999}' WHERE id = %s", [target.id])
    try:
        shown = fusionops.run("verify-audit", token=admin)
        verdict = fusionops.run("--json", "verify-audit", token=admin)
    finally:
        without_triggers("UPDATE audit_event SET payload = %s WHERE id = %s", [original, target.id])

    assert shown.exit_code == 8, shown.output
    assert "BROKEN" in shown.stdout
    assert str(target.id) in shown.stdout
    assert verdict.exit_code == 8
    assert json.loads(verdict.stdout)["ok"] is False
    restored = fusionops.run("verify-audit", token=admin)
    assert restored.exit_code == 0, restored.output


def test_verify_audit_refuses_a_checkpoint_file_that_is_not_one(fusionops, tmp_path, admin):
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"event": "audit.checkpoint", "position": 3}\n')

    result = fusionops.run("verify-audit", "--checkpoints", wrong, token=admin)

    assert result.exit_code == 2
    assert "is not a checkpoint" in result.stderr
