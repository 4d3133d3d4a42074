"""A backup restores whole, with its audit log verified: proven by restore_check."""

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from apps.eventlog.backups import manifest_of
from apps.eventlog.sealing import audit_seal_pending
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def backup(tmp_path):
    with transaction.atomic():
        event_emit(
            declared("testing.thing.happened"), aggregate_id=uuid.uuid4().hex, payload={},
            actor=None,
        )  # fmt: skip
    while audit_seal_pending():
        pass
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    return tmp_path / out.getvalue().splitlines()[0].rsplit("/", 1)[-1]


def test_a_backup_has_a_manifest_with_its_hash_schema_and_audit_head(backup):
    manifest = json.loads(manifest_of(backup).read_text())
    assert manifest["file"] == backup.name
    assert len(manifest["sha256"]) == 64
    assert manifest["schema"]["eventlog"].startswith("00")
    assert manifest["audit_head"]["position"] >= 1


def test_a_backup_then_its_restore_check_passes(backup, tmp_path):
    out = io.StringIO()
    call_command("restore_check", str(backup), stdout=out)
    verdict = out.getvalue()
    assert "PASSED" in verdict
    assert "verify_audit: OK" in verdict
    assert "holds the head at backup time" in verdict


def test_a_flipped_byte_fails_the_restore_check(backup):
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    out = io.StringIO()
    with pytest.raises(CommandError, match="FAILED"):
        call_command("restore_check", str(backup), stdout=out)
    assert "sha256 differs" in out.getvalue()


def test_only_the_newest_backups_are_kept(tmp_path):
    for _ in range(3):
        call_command("backup", "--dir", str(tmp_path), "--keep", "2", stdout=io.StringIO())
    assert len(list(tmp_path.glob("*.dump"))) == 2
    assert len(list(tmp_path.glob("*.manifest.json"))) == 2
