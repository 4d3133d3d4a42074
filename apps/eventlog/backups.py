"""Backups of the portal's database with proof: a pg_dump (custom format) and a manifest
(sha256, size, schema version, and the audit chain's head signed at backup time), and a
check that restores a backup into a scratch database and verifies it there.

The log is kept forever; a backup that cannot be shown to restore whole is not one.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import structlog
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from psycopg import sql

from apps.eventlog.checkpoints import Checkpoint, current_checkpoint

logger = structlog.get_logger("fusionops.backup")

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


def _libpq_env(params: dict) -> dict:
    """pg_dump and pg_restore take the connection from the environment (no password on a
    command line)."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    env = {**os.environ}
    for key, variable in names.items():
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _schema_version() -> dict[str, str]:
    """The last migration applied of each app."""
    applied = MigrationRecorder(connections["default"]).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = name
    return latest


def manifest_of(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def backup_create(*, directory: str | os.PathLike, keep: int | None = None) -> Path:
    """Dump the database into `directory` with its manifest; keep the newest `keep`
    backups there (older ones are deleted). Returns the dump's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    params = connections["default"].get_connection_params()
    database = params["dbname"]
    # The head is read before the dump starts: the dump holds at least that much.
    head = current_checkpoint()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dump = directory / f"{database}-{stamp}.dump"
    subprocess.run(  # noqa: S603  the portal's own arguments
        ["pg_dump", "--format=custom", "--no-password", f"--file={dump}", database],  # noqa: S607
        env=_libpq_env(params),
        check=True,
        capture_output=True,
    )
    manifest = {
        "format": FORMAT,
        "file": dump.name,
        "sha256": _sha256(dump),
        "bytes": dump.stat().st_size,
        "created_at": stamp,
        "database": database,
        "schema": _schema_version(),
        "audit_head": head.as_dict() if head else None,
    }
    manifest_of(dump).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    logger.info(
        "backup.created", file=str(dump), bytes=manifest["bytes"], head=manifest["audit_head"]
    )
    if keep:
        dumps = sorted(directory.glob(f"{database}-*.dump"))
        for old in dumps[:-keep]:
            old.unlink()
            manifest_of(old).unlink(missing_ok=True)
    return dump


@dataclass
class RestoreCheck:
    ok: bool
    findings: list[str] = field(default_factory=list)

    def fail(self, finding: str) -> "RestoreCheck":
        self.ok = False
        self.findings.append(finding)
        return self


def restore_check(dump: str | os.PathLike, *, checkpoints: str | None = None) -> RestoreCheck:
    """Restore `dump` into a scratch database (created and dropped with the superuser of
    DATABASE_ADMIN_URL), verify the audit log there, and compare its head with the
    manifest (and with the checkpoints up to it)."""
    dump = Path(dump)
    check = RestoreCheck(ok=True)
    try:
        manifest = json.loads(manifest_of(dump).read_text())
    except (OSError, ValueError) as exc:
        return check.fail(f"the manifest cannot be read: {exc}")
    if _sha256(dump) != manifest["sha256"]:
        return check.fail("the backup's sha256 differs from its manifest: it was altered")
    check.findings.append(f"sha256 matches the manifest ({manifest['bytes']} bytes)")
    admin = psycopg.conninfo.conninfo_to_dict(settings.DATABASE_ADMIN_URL)
    scratch = f"restore_check_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**admin, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        restored = subprocess.run(  # noqa: S603  the portal's own arguments
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={scratch}", str(dump)],  # noqa: S607
            env=_libpq_env(admin),
            capture_output=True,
            text=True,
        )
        if restored.returncode != 0:
            return check.fail(f"pg_restore failed: {restored.stderr.strip()[-500:]}")
        check.findings.append("restored into a scratch database")
        _verify_restored(check, scratch, admin, manifest, checkpoints)
    finally:
        with psycopg.connect(**admin, autocommit=True) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    return check


def _verify_restored(check, scratch: str, admin: dict, manifest: dict, checkpoints) -> None:
    host = admin.get("host", "127.0.0.1")
    port = admin.get("port", 5432)
    url = f"postgres://{admin.get('user', 'postgres')}@{host}:{port}/{scratch}"
    command = [sys.executable, "manage.py", "verify_audit"]
    head = manifest.get("audit_head")
    if checkpoints:
        command += ["--checkpoints", checkpoints]
        if head:
            command += ["--checkpoints-through", str(head["position"])]
    verified = subprocess.run(  # noqa: S603  the portal's own command
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DATABASE_ROLE": "owner"},
        capture_output=True,
        text=True,
    )
    if verified.returncode != 0:
        check.fail(f"verify_audit: {(verified.stderr or verified.stdout).strip()[-500:]}")
        return
    check.findings.append(f"verify_audit: {verified.stdout.strip()}")
    if head is None:
        return
    checkpoint = Checkpoint.from_dict(head)
    if not checkpoint.signature_valid:
        check.fail("the manifest's audit head is not signed by an audit key of this deployment")
        return
    with psycopg.connect(url, autocommit=True) as restored:
        row = restored.execute(
            "SELECT chain FROM audit_seal WHERE position = %s", [checkpoint.position]
        ).fetchone()
    if row is None or bytes(row[0]) != checkpoint.chain:
        check.fail(f"the restored chain does not hold the manifest's head {checkpoint.position}")
        return
    check.findings.append(
        f"the restored chain holds the head at backup time ({checkpoint.position})"
    )
