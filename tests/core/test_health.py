"""/health/live, /health/ready (database, Redis, migrations) and /version."""

import subprocess
from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from apps.eventlog.models import WorkerHeartbeat
from apps.eventlog.services import worker_heartbeat_record
from apps.platform import health
from apps.platform.version import build_id
from tests.eventlog.test_dead_letters import dead_letter  # noqa: F401  a fixture

pytestmark = pytest.mark.django_db


def test_live_answers_without_checking_anything(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


BACKBONE_CHECKS = {"worker", "outbox", "sealer", "dead_letters", "partitions"}


def test_ready_reports_each_check_with_its_timing(client):
    worker_heartbeat_record(worker="test-worker")
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok", body
    assert set(body["checks"]) == {"database", "redis", "migrations", *BACKBONE_CHECKS}
    for result in body["checks"].values():
        assert result["ok"] is True
        assert result["duration_ms"] >= 0
    assert body["checks"]["worker"]["heartbeat_age_seconds"] < 5
    assert body["checks"]["dead_letters"]["count"] == 0
    assert body["checks"]["partitions"]["months_ahead"] >= 2


def test_without_a_worker_web_is_degraded_not_down(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, "web still serves; the work waits in the outbox"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["worker"]
    assert body["checks"]["worker"] == {
        "ok": False, "duration_ms": body["checks"]["worker"]["duration_ms"],
        "heartbeat_age_seconds": None, "error": "no_worker_seen",
    }  # fmt: skip


@pytest.mark.usefixtures("dead_letter")
def test_a_silent_worker_and_dead_letters_are_named(client):
    worker_heartbeat_record(worker="test-worker")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] == ["worker", "dead_letters"]
    assert body["checks"]["worker"]["heartbeat_age_seconds"] >= 300
    assert body["checks"]["dead_letters"]["count"] == 1


def test_ready_is_503_naming_redis_when_it_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"] == "unavailable"
    assert "127.0.0.1" not in response.content.decode()
    assert body["checks"]["database"]["ok"] is True


def test_ready_is_503_when_a_migration_is_not_applied(client, log_lines):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'core' AND name = '0002_roles'")
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"]["error"] == "pending_migrations"
    # Which ones is for operators, in the log, not for anonymous callers.
    assert "core.0002_roles" not in response.content.decode()
    assert any("core.0002_roles" in line.get("error", "") for line in log_lines)


def test_database_check_reports_an_unreachable_server():
    settings_dict = {**connections[DEFAULT_DB_ALIAS].settings_dict, "PORT": "1"}
    broken = connections[DEFAULT_DB_ALIAS].__class__(settings_dict, alias="broken")
    try:
        result = health.timed("database", lambda: health.check_database(broken))
    finally:
        broken.close()
    assert result.ok is False
    assert result.detail["error"] == "unavailable"


def test_ready_is_503_naming_every_check_when_the_database_is_down(client, monkeypatch):
    def refuse(connection=None):
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(health, "check_database", refuse)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database", "migrations"]


@pytest.fixture
def fresh_build_id():
    """The build id is computed once per process; these tests change what it comes from."""
    build_id.cache_clear()
    yield
    build_id.cache_clear()


def test_version_uses_app_build_when_set(client, settings, fresh_build_id):
    settings.APP_BUILD = "2026.11.21-abc1234"
    body = client.get("/version").json()
    assert body["build"] == "2026.11.21-abc1234"
    assert body["version"]


def test_version_falls_back_to_git_describe(client, settings, fresh_build_id):
    settings.APP_BUILD = ""
    body = client.get("/version").json()
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty", "--tags"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert body["build"] == (described or "unknown")


def test_redis_older_than_7_is_reported(monkeypatch):
    monkeypatch.setattr(
        health.redis.Redis, "info", lambda self, section=None: {"redis_version": "6.2.14"}
    )
    result = health.timed("redis", health.check_redis)
    assert result.ok is False
    assert result.detail["error"] == "unsupported_version"
