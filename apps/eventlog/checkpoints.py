"""Checkpoints: the chain's head, signed, kept outside the database.

The chain proves that nothing inside it was changed, but not that its tail is still there:
whoever deletes the newest events together with their seals leaves a shorter chain that
verifies. So the worker writes the head (position, chain link, time, key id) every
AUDIT_CHECKPOINT_SECONDS to the structured log and, with AUDIT_CHECKPOINT_DIR, as one
file per checkpoint into that directory, created and never rewritten (point it at
write-once storage). `verify_audit --checkpoints DIR` proves that the log still holds every
checkpointed head: a truncated tail, or an older backup restored, is reported.
"""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from django.conf import settings
from django.db import connection

from apps.eventlog import signing
from apps.eventlog.selectors import seal_head

logger = structlog.get_logger("fusionops.audit")

FORMAT = 1


def _document(position: int, chain: bytes, at: str, key_id: str) -> bytes:
    return json.dumps(
        {"format": FORMAT, "position": position, "chain": chain.hex(), "at": at, "key_id": key_id},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


@dataclass(frozen=True)
class Checkpoint:
    position: int
    chain: bytes
    at: str
    key_id: str
    signature: str

    def as_dict(self) -> dict:
        return {
            "format": FORMAT,
            "position": self.position,
            "chain": self.chain.hex(),
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @property
    def signature_valid(self) -> bool:
        document = _document(self.position, self.chain, self.at, self.key_id)
        return signing.checkpoint_signature_valid(document, self.signature, self.key_id)

    @classmethod
    def from_dict(cls, data: dict) -> "Checkpoint":
        return cls(
            position=int(data["position"]),
            chain=bytes.fromhex(data["chain"]),
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )


def current_checkpoint() -> Checkpoint | None:
    """The chain's head now, signed with the active key (None while nothing is sealed)."""
    with connection.cursor() as cursor:
        head = seal_head(cursor)
    if not head.position:
        return None
    at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    key_id, signature = signing.sign_checkpoint(
        _document(head.position, head.chain, at, signing.active_key_id())
    )
    return Checkpoint(head.position, head.chain, at, key_id, signature)


def checkpoint_write(directory: str | os.PathLike | None = None) -> Checkpoint | None:
    """Log the head as a checkpoint and, with a directory, write it there as a file of its
    own (never one that exists: a second worker at the same head writes nothing)."""
    checkpoint = current_checkpoint()
    if checkpoint is None:
        return None
    logger.info("audit.checkpoint", **checkpoint.as_dict())
    directory = directory or settings.AUDIT_CHECKPOINT_DIR
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        target = path / f"checkpoint-{checkpoint.position:020d}.json"
        try:
            with open(target, "x", encoding="utf-8") as file:  # x: create, never overwrite
                json.dump(checkpoint.as_dict(), file, sort_keys=True)
                file.flush()
                os.fsync(file.fileno())
        except FileExistsError:
            pass
    return checkpoint


def checkpoints_read(path: str | os.PathLike) -> list[Checkpoint]:
    """The checkpoints in a directory of checkpoint files, or in one file of JSON lines
    (the structured log's `audit.checkpoint` lines, say), oldest position first."""
    path = Path(path)
    found = []
    if path.is_dir():
        for file in sorted(path.glob("checkpoint-*.json")):
            found.append(Checkpoint.from_dict(json.loads(file.read_text(encoding="utf-8"))))
    else:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                if data.get("event", "audit.checkpoint") == "audit.checkpoint":
                    found.append(Checkpoint.from_dict(data))
    return sorted(found, key=lambda checkpoint: checkpoint.position)


def checkpoints_verify(checkpoints: list[Checkpoint]) -> str | None:
    """Why the log does not hold every checkpointed head, or None when it does."""
    if not checkpoints:
        return None
    with connection.cursor() as cursor:
        head = seal_head(cursor)
        cursor.execute(
            "SELECT position, chain FROM audit_seal WHERE position = ANY(%s)",
            [[checkpoint.position for checkpoint in checkpoints]],
        )
        chains = {position: bytes(chain) for position, chain in cursor.fetchall()}
    for checkpoint in checkpoints:
        where = f"checkpoint {checkpoint.position} of {checkpoint.at}"
        if not signing.key_held(checkpoint.key_id) or not checkpoint.signature_valid:
            return f"{where} is not signed by an audit key of this deployment"
        if checkpoint.position > head.position:
            return (
                f"{where} is beyond the chain's head ({head.position}): the log's tail was "
                "removed, or an older copy of the database is in use"
            )
        if chains.get(checkpoint.position) != checkpoint.chain:
            return f"{where} does not match the chain: the chain was rewritten"
    return None
