"""Reading the checkpoints the portal's worker writes, in the formats of
apps/eventlog/checkpoints.py `checkpoints_read`: a directory of `checkpoint-*.json` files, or
one file of JSON lines (the structured log's `audit.checkpoint` lines, say)."""

import json
from pathlib import Path

from fusionops_cli.errors import UsageError
from fusionops_cli.models import Checkpoint

FIELDS = ("format", "position", "chain", "at", "key_id", "signature")


def checkpoints_read(path: str | Path) -> list[Checkpoint]:
    """The checkpoints at `path`, oldest position first; UsageError for anything that is
    not one."""
    path = Path(path)
    found: list[Checkpoint] = []
    try:
        if path.is_dir():
            for file in sorted(path.glob("checkpoint-*.json")):
                found.append(_checkpoint(_parse(file.read_text(encoding="utf-8"), file), file))
        else:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                data = _parse(line, f"{path}, line {number}")
                if data.get("event", "audit.checkpoint") == "audit.checkpoint":
                    found.append(_checkpoint(data, f"{path}, line {number}"))
    except OSError as exc:
        raise UsageError(f"Cannot read checkpoints at {path}: {exc.strerror}.") from exc
    return sorted(found, key=lambda checkpoint: checkpoint["position"])


def _parse(text: str, where) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{where} is not JSON.") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{where} is not a checkpoint (a JSON object).")
    return data


def _checkpoint(data: dict, where) -> Checkpoint:
    missing = [name for name in FIELDS if name not in data]
    if missing:
        raise UsageError(f"{where} is not a checkpoint: it has no {', '.join(missing)}.")
    try:
        position, format_ = int(data["position"]), int(data["format"])
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where}: position and format are whole numbers.") from exc
    return {
        "format": format_,
        "position": position,
        "chain": str(data["chain"]),
        "at": str(data["at"]),
        "key_id": str(data["key_id"]),
        "signature": str(data["signature"]),
    }
