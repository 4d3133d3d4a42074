"""The portal serves as a role that cannot switch the log's protections off; DDL on the
log is refused outside migrations even to its owner; production refuses to serve as a
superuser or as the owner."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from apps.eventlog.services import audit_partitions_ensure, event_emit
from tests.eventsapp.events import declared
from tests.processes import free_port, portal_env, stop, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def as_runtime_role():
    db = connections["default"].settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], dbname=db["NAME"],
        user=settings.DATABASE_RUNTIME_ROLE, autocommit=True,
    )  # fmt: skip


def a_partition() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'audit_event'::regclass AND c.relname <> 'audit_event_default'"
            " ORDER BY c.relname DESC LIMIT 1"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def recorded():
    with transaction.atomic():
        return event_emit(
            declared("testing.thing.happened"), aggregate_id="rls", payload={}, actor=None
        )


def test_the_runtime_role_reads_and_appends_to_the_log(recorded):
    with as_runtime_role() as runtime:
        assert runtime.execute("SELECT count(*) FROM audit_event").fetchone()[0] >= 1
        with runtime.transaction():
            runtime.execute("SELECT 1 FROM audit_seal LIMIT 1")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET type = 'x.y'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "UPDATE audit_seal SET chain = ''",
        "DELETE FROM audit_seal",
        "TRUNCATE audit_seal",
        "DELETE FROM audit_event_id",
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "SET session_replication_role = replica",
        "ALTER TABLE audit_event DETACH PARTITION {partition}",
        "DROP TABLE {partition}",
        "DROP TABLE audit_seal",
    ],
)
def test_the_runtime_role_cannot_change_the_log_or_switch_its_protection_off(recorded, statement):
    with as_runtime_role() as runtime, pytest.raises(psycopg.errors.InsufficientPrivilege):
        runtime.execute(statement.format(partition=a_partition()))


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "ALTER TABLE audit_event DETACH PARTITION {partition}",
        "DROP TABLE {partition}",
        "ALTER TABLE audit_seal DROP COLUMN chain",
    ],
)
def test_even_the_owner_is_refused_ddl_on_the_log_outside_migrations(statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(partition=a_partition()))


def test_the_worker_as_runtime_role_still_creates_the_coming_months_partitions():
    first_month = f"20{40 + uuid.uuid4().int % 50}-01-01"
    code = (
        "from apps.eventlog.services import audit_partitions_ensure;"
        f"print(audit_partitions_ensure(months=2, first_month={first_month!r}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR, env=portal_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2"
    assert audit_partitions_ensure(months=2, first_month=first_month) == 0


def run_env(url: str) -> dict:
    return {
        **portal_env(),
        "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
        "SECRET_KEY": "k3J9x!qP2vL8mN4rT6wY1zA5cE7gH0jB3dF6hK9nQ2sU5xW8-strong",
        # The keys of the test run: what this worker seals must verify in the tests after.
        "AUDIT_SIGNING_KEYS": json.dumps(settings.AUDIT_SIGNING_KEYS),
        "AUDIT_SIGNING_KEY_ID": settings.AUDIT_SIGNING_KEY_ID,
        "DATABASE_URL": url,
    }


def run_as(url: str, *command) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=settings.BASE_DIR, env=run_env(url), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_refuses_to_serve_as_a_superuser_or_owner():
    db = connections["default"].settings_dict
    superuser = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    refused = run_as(superuser, "run_worker", "--once")
    assert refused.returncode != 0
    assert "Refusing to serve: it connects to the database as a superuser" in refused.stderr
    checked = run_as(superuser, "check", "--database", "default")
    assert "platform.E001" in checked.stdout + checked.stderr
    runtime = f"postgres://{settings.DATABASE_RUNTIME_ROLE}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    served = run_as(runtime, "run_worker", "--once")
    assert served.returncode == 0, served.stderr


def test_the_websocket_process_checks_its_role_at_start_inside_uvicorn_s_event_loop():
    db = connections["default"].settings_dict
    uvicorn = str(Path(sys.executable).parent / "uvicorn")

    def start(url: str) -> tuple[subprocess.Popen, int]:
        port = free_port()
        env = {**run_env(url), "DB_POOL": "false"}
        command = [
            uvicorn,
            "fusionops.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        ), port  # fmt: skip

    refused, _ = start(f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    assert refused.wait(timeout=60) != 0
    assert "Refusing to serve: it connects to the database as a superuser" in refused.stderr.read()
    runtime = f"postgres://{settings.DATABASE_RUNTIME_ROLE}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    served, port = start(runtime)
    try:
        assert wait_until(lambda: _answers(f"http://127.0.0.1:{port}/health/live"), 60)
    finally:
        stop([served])


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
