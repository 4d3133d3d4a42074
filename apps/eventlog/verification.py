"""The audit log's verification, as `verify_audit` and the API run it."""

from dataclasses import dataclass
from datetime import datetime

from apps.eventlog.checkpoints import Checkpoint, checkpoints_verify
from apps.eventlog.sealing import audit_verify


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    events: int
    sealed: int
    pending: int
    broken_at: str | None
    reason: str | None
    checkpoints_held: int | None


def audit_verification(
    *, since: datetime | None = None, checkpoints: list[Checkpoint] | None = None
) -> AuditVerification:
    """verify_audit's checks: the chain from `since` and, given checkpoints (kept outside
    the portal), that the log still holds each of them."""
    chain = audit_verify(since=since)
    ok, broken_at, reason, held = chain.ok, chain.broken_at, chain.reason, None
    if ok and checkpoints is not None:
        problem = checkpoints_verify(checkpoints)
        if problem is None:
            held = len(checkpoints)
        else:
            ok, reason = False, problem
    return AuditVerification(
        ok=ok,
        events=chain.events,
        sealed=chain.sealed,
        pending=chain.pending,
        broken_at=broken_at,
        reason=reason,
        checkpoints_held=held,
    )
