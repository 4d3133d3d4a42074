"""The chain and the signatures catch a modified, a deleted and an inserted event.

These tests commit for real (sealing needs ended transactions). Each tampers as a
superuser with triggers disabled, checks the verdict, then undoes the tampering, so the
log stays valid for the tests after it (the log itself cannot be truncated)."""

import io
import threading
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from apps.eventlog.sealing import audit_seal_pending, audit_verify
from apps.eventlog.services import event_emit
from apps.platform.db import raw_connection
from tests.eventsapp.events import declared

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emit(run: str, n: int = 0):
    with transaction.atomic():
        return event_emit(
            declared("testing.tamper.target"),
            aggregate_id=run,
            payload={"n": n},
            actor=None,
        )


def seal_everything() -> None:
    while audit_seal_pending():
        pass


def without_triggers(sql: str, params=()) -> None:
    """As a superuser who switched the append-only triggers off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.fixture
def sealed():
    run = uuid.uuid4().hex
    events = [emit(run, n) for n in range(5)]
    seal_everything()
    assert audit_verify().ok
    return events


def test_an_untouched_log_verifies_with_its_count(sealed):
    result = audit_verify()
    assert result.ok
    assert result.sealed >= 5
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK: ")


def test_a_modified_event_is_detected(sealed):
    target = sealed[2]
    without_triggers("UPDATE audit_event SET payload = '{\"n\": 999}' WHERE id = %s", [target.id])
    try:
        result = audit_verify()
        assert not result.ok
        assert result.broken_at.startswith("position ")
        assert f"event {target.id} was altered" == result.reason
        with pytest.raises(CommandError, match="BROKEN at position"):
            call_command("verify_audit", stdout=io.StringIO())
    finally:
        without_triggers("UPDATE audit_event SET payload = '{\"n\": 2}' WHERE id = %s", [target.id])
    assert audit_verify().ok


def test_a_deleted_event_is_detected(sealed):
    target = sealed[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_event WHERE id = %s", [target.id])
        columns = [column.name for column in cursor.description]
        original = cursor.fetchone()
    without_triggers("DELETE FROM audit_event WHERE id = %s", [target.id])
    try:
        result = audit_verify()
        assert not result.ok
        assert result.reason == f"event {target.id} was deleted from the log"
    finally:
        placeholders = ", ".join(["%s"] * len(columns))
        without_triggers(
            f"INSERT INTO audit_event ({', '.join(columns)}) VALUES ({placeholders})",
            original,
        )
    assert audit_verify().ok


@pytest.mark.parametrize("backdated", [False, True])
def test_an_inserted_event_is_detected(sealed, backdated):
    forged = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute("SELECT signature FROM audit_event WHERE id = %s", [sealed[0].id])
        borrowed_signature = cursor.fetchone()[0]
    # Either a new row as any writer would add it, or one claiming an old transaction id
    # (placing it among already sealed history).
    xid = "'1'::xid8" if backdated else "pg_current_xact_id()"
    without_triggers(
        f"""
        INSERT INTO audit_event (id, type, aggregate_type, aggregate_id, actor, occurred_at,
                                 recorded_at, payload, signature, key_id, xid)
        VALUES (%s, 'testing.tamper.target', 'testing.tamper', 'forged', '{{}}', now(), now(),
                '{{"n": 1}}', %s, 'secret-key', {xid})
        """,
        [forged, borrowed_signature],
    )
    try:
        result = audit_verify()
        assert not result.ok
        assert result.broken_at.startswith("event #")
        assert str(forged) in result.reason
    finally:
        without_triggers("DELETE FROM audit_event WHERE id = %s", [forged])
    assert audit_verify().ok


def copy_with_another_recorded_at(event_id) -> str:
    return f"""
        INSERT INTO audit_event (id, type, version, aggregate_type, aggregate_id, actor,
            correlation_id, causation_id, occurred_at, recorded_at, payload, signature, key_id)
        SELECT id, type, version, aggregate_type, aggregate_id, actor, correlation_id,
            causation_id, occurred_at, recorded_at + interval '1 second', payload, signature,
            key_id
        FROM audit_event WHERE id = '{event_id}'
    """


def test_a_second_row_with_a_sealed_events_id_is_refused_by_the_database(sealed):
    with (
        pytest.raises(IntegrityError, match="audit_event_id_pkey"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(copy_with_another_recorded_at(sealed[3].id))


def test_a_second_row_planted_with_the_triggers_off_is_reported(sealed, client_as):
    target = sealed[3]
    without_triggers(copy_with_another_recorded_at(target.id))
    try:
        result = audit_verify()
        assert not result.ok
        assert result.reason == f"event id {target.id} is in the log twice"
        # The API never answers 500 for it.
        detail = client_as("AuditViewer").get(f"/api/v1/events/{target.id}/")
        assert detail.status_code == 409
        assert detail["Content-Type"] == "application/problem+json"
    finally:
        without_triggers(
            "DELETE FROM audit_event WHERE id = %s AND recorded_at > %s",
            [target.id, target.recorded_at],
        )
    assert audit_verify().ok


def test_an_altered_chain_entry_is_detected(sealed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT position, chain FROM audit_seal WHERE event_id = %s", [sealed[3].id])
        position, original = cursor.fetchone()
    without_triggers("UPDATE audit_seal SET chain = sha256(chain) WHERE position = %s", [position])
    try:
        result = audit_verify()
        assert not result.ok
        assert result.broken_at == f"position {position}"
        assert result.reason == "the chain entry itself was altered"
    finally:
        without_triggers(
            "UPDATE audit_seal SET chain = %s WHERE position = %s", [original, position]
        )
    assert audit_verify().ok


def test_deleting_an_event_and_rechaining_without_the_key_is_detected(sealed):
    """An attacker deletes an event and its seal entry, renumbers the later entries and
    recomputes their links, but without the portal's secret."""
    import hashlib

    target = sealed[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_event WHERE id = %s", [target.id])
        columns = [column.name for column in cursor.description]
        event_row = cursor.fetchone()
        cursor.execute(
            "SELECT * FROM audit_seal WHERE position >= "
            "(SELECT position FROM audit_seal WHERE event_id = %s) ORDER BY position",
            [target.id],
        )
        seal_columns = [column.name for column in cursor.description]
        seal_rows = cursor.fetchall()
    removed, later = seal_rows[0], seal_rows[1:]
    position_index, chain_index = seal_columns.index("position"), seal_columns.index("chain")
    digest_index = seal_columns.index("digest")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT chain FROM audit_seal WHERE position = %s", [removed[position_index] - 1]
        )
        previous = bytes(cursor.fetchone()[0])
    without_triggers("DELETE FROM audit_event WHERE id = %s", [target.id])
    without_triggers("DELETE FROM audit_seal WHERE position >= %s", [removed[position_index]])
    for offset, row in enumerate(later):
        previous = hashlib.sha256(previous + bytes(row[digest_index])).digest()
        values = list(row)
        values[position_index] = removed[position_index] + offset
        values[chain_index] = previous
        without_triggers(
            f"INSERT INTO audit_seal ({', '.join(seal_columns)}) VALUES ({', '.join(['%s'] * len(values))})",  # noqa: E501
            values,
        )
    try:
        result = audit_verify()
        assert not result.ok
        assert result.reason == "the chain entry itself was altered"
    finally:
        without_triggers("DELETE FROM audit_seal WHERE position >= %s", [removed[position_index]])
        for row in seal_rows:
            without_triggers(
                f"INSERT INTO audit_seal ({', '.join(seal_columns)}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: E501
                list(row),
            )
        without_triggers(
            f"INSERT INTO audit_event ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: E501
            event_row,
        )
    assert audit_verify().ok


def test_sealing_never_waits_for_a_writer_and_skips_what_is_not_committed():
    run = uuid.uuid4().hex
    emitted, release = threading.Event(), threading.Event()
    pending_id = []

    def slow_writer():
        try:
            with transaction.atomic():
                pending_id.append(emit(run, 1).id)
                emitted.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert emitted.wait(timeout=10)
    later = emit(run, 2)  # commits while the slow writer's transaction is open
    try:
        seal_everything()  # returns although a writer is still open
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_seal WHERE event_id = %s", [later.id])
            assert cursor.fetchone()[0] == 0, "sealed past a transaction still running"
    finally:
        release.set()
        writer.join()
    seal_everything()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_id FROM audit_seal WHERE event_id = ANY(%s) ORDER BY position",
            [[pending_id[0], later.id]],
        )
        # Chained in transaction order once both ended: the earlier transaction first,
        # though it committed last.
        assert [row[0] for row in cursor.fetchall()] == [pending_id[0], later.id]
    assert audit_verify().ok


def sealed_ids(ids) -> set:
    with connection.cursor() as cursor:
        cursor.execute("SELECT event_id FROM audit_seal WHERE event_id = ANY(%s)", [list(ids)])
        return {row[0] for row in cursor.fetchall()}


def test_an_open_write_transaction_in_another_database_does_not_stop_sealing():
    with raw_connection(dbname="postgres", autocommit=False) as elsewhere:
        # A write transaction left open in another database of the same server: it holds
        # the cluster's oldest transaction id.
        elsewhere.execute("SELECT pg_current_xact_id()")
        committed = emit(uuid.uuid4().hex)
        seal_everything()
        assert sealed_ids([committed.id]) == {committed.id}
        elsewhere.rollback()


def test_write_transactions_open_in_this_database_hold_sealing_until_they_end():
    before = emit(uuid.uuid4().hex)
    # Two of them, and nothing ends after them: the later one holds an id above the
    # snapshot's xmax (the last ended id plus one).
    with raw_connection(autocommit=False) as first, raw_connection(autocommit=False) as second:
        first.execute("SELECT pg_current_xact_id()")
        second.execute("SELECT pg_current_xact_id()")
        seal_everything()
        assert sealed_ids([before.id]) == {before.id}
        committed = emit(uuid.uuid4().hex)
        seal_everything()
        assert sealed_ids([committed.id]) == set()  # they may still write earlier events
        second.rollback()
        seal_everything()
        assert sealed_ids([committed.id]) == set()
        first.rollback()
    seal_everything()
    assert sealed_ids([committed.id]) == {committed.id}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(through_xid) <= pg_current_xact_id() FROM audit_seal")
        assert cursor.fetchone()[0], "a horizon beyond every transaction id"


def test_a_log_restored_into_another_cluster_keeps_sealing_after_the_rebaseline():
    """A logical dump restored elsewhere brings transaction ids the new cluster never gave
    (here: from an older, busier cluster) and the old cluster's name."""
    seal_everything()
    restored_unsealed = emit(uuid.uuid4().hex)
    without_triggers(
        "UPDATE audit_event SET xid = (pg_current_xact_id()::text::bigint + 1000000)::text::xid8"
        " WHERE id = %s",
        [restored_unsealed.id],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_cluster (system_identifier, base_xid, from_position)"
            " SELECT 42, '1'::xid8, coalesce(max(position), 0) FROM audit_seal"
        )
    written_since = emit(uuid.uuid4().hex)
    assert audit_seal_pending() == 0  # not in the cluster its ids come from
    with raw_connection(autocommit=False) as busy:
        busy.execute("SELECT pg_current_xact_id()")
        with pytest.raises(CommandError, match="stop the portal"):
            call_command("audit_rebaseline", stdout=io.StringIO())
        busy.rollback()
    out = io.StringIO()
    call_command("audit_rebaseline", stdout=out)
    assert "sealed 2 event(s)" in out.getvalue()
    assert sealed_ids([restored_unsealed.id, written_since.id]) == {
        restored_unsealed.id,
        written_since.id,
    }
    later = emit(uuid.uuid4().hex)
    seal_everything()
    assert sealed_ids([later.id]) == {later.id}
    assert audit_verify().ok
    with pytest.raises(CommandError, match="already"):
        call_command("audit_rebaseline", stdout=io.StringIO())


def test_seal_lag_is_the_age_of_the_oldest_unsealed_event():
    from apps.eventlog.selectors import seal_lag_seconds

    seal_everything()
    assert seal_lag_seconds() == 0
    with raw_connection(autocommit=False) as here:
        here.execute("SELECT pg_current_xact_id()")  # holds sealing back
        emit(uuid.uuid4().hex)
        time.sleep(0.3)
        assert seal_lag_seconds() >= 0.3
        here.rollback()
    seal_everything()
    assert seal_lag_seconds() == 0


def test_a_removed_tail_verifies_alone_but_not_against_the_checkpoints(tmp_path):
    from apps.eventlog.checkpoints import checkpoint_write

    emit(uuid.uuid4().hex)
    seal_everything()
    written = checkpoint_write(tmp_path)
    assert (tmp_path / f"checkpoint-{written.position:020d}.json").exists()
    checkpoint_write(tmp_path)  # another worker at the same head adds no file
    assert len(list(tmp_path.iterdir())) == 1
    out = io.StringIO()
    call_command("verify_audit", "--checkpoints", str(tmp_path), stdout=out)
    assert "checkpoint(s) held by the log" in out.getvalue()

    class Undo(Exception):
        pass

    # The newest events removed with their seals (triggers off, as a superuser could).
    with pytest.raises(Undo), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM audit_event e USING audit_seal s"
            " WHERE s.event_id = e.id AND s.position > %s - 2",
            [written.position],
        )
        cursor.execute("DELETE FROM audit_event_id WHERE id NOT IN (SELECT id FROM audit_event)")
        cursor.execute("DELETE FROM audit_seal WHERE position > %s - 2", [written.position])
        assert audit_verify().ok  # the shorter chain verifies by itself
        with pytest.raises(CommandError, match="beyond the chain's head"):
            call_command("verify_audit", "--checkpoints", str(tmp_path), stdout=io.StringIO())
        raise Undo
    call_command("verify_audit", "--checkpoints", str(tmp_path), stdout=io.StringIO())


def test_a_forged_checkpoint_is_reported(tmp_path):
    import json

    from apps.eventlog.checkpoints import checkpoint_write

    emit(uuid.uuid4().hex)
    seal_everything()
    written = checkpoint_write(tmp_path)
    path = tmp_path / f"checkpoint-{written.position:020d}.json"
    forged = {**json.loads(path.read_text()), "chain": "00" * 32}
    path.write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="not signed by an audit key"):
        call_command("verify_audit", "--checkpoints", str(tmp_path), stdout=io.StringIO())
