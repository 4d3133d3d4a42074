"""POST /api/v1/audit/verify/: the checks of verify_audit, for an auditor over the API,
with checkpoints the auditor kept outside the portal."""

import pytest

from apps.eventlog.checkpoints import current_checkpoint
from tests.eventlog.test_audit_keys import emit, seal_everything
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

URL = "/api/v1/audit/verify/"


def test_a_sealed_log_verifies_with_the_checkpoints_it_holds(client_as):
    for _ in range(3):
        emit()
    seal_everything()
    checkpoint = current_checkpoint().as_dict()
    emit()  # awaiting its seal

    verified = client_as("AuditViewer").post(URL, {"checkpoints": [checkpoint]}, format="json")

    assert verified.status_code == 200
    body = verified.json()
    assert body["ok"] is True and body["checkpoints_held"] == 1
    assert body["events"] == body["sealed"] + body["pending"] and body["pending"] >= 1
    assert body["broken_at"] is None and body["reason"] is None


def test_a_checkpoint_the_log_no_longer_holds_is_a_broken_log_not_an_error(client_as):
    emit()
    seal_everything()
    checkpoint = current_checkpoint().as_dict()
    forged = {**checkpoint, "chain": "0" * 64}

    verified = client_as("AuditViewer").post(URL, {"checkpoints": [forged]}, format="json")

    assert verified.status_code == 200
    assert verified.json()["ok"] is False
    assert f"checkpoint {checkpoint['position']}" in verified.json()["reason"]


def test_a_malformed_checkpoint_or_time_is_a_400_problem(client_as):
    auditor = client_as("AuditViewer")
    bad_chain = {"position": 1, "chain": "xyz", "at": "now", "key_id": "k", "signature": "s"}

    refused = assert_problem(auditor.post(URL, {"checkpoints": [bad_chain]}, format="json"), 400)
    assert "checkpoints" in str(refused["errors"])
    assert_problem(auditor.post(URL, {"since": "2026-11-01"}, format="json"), 400)
