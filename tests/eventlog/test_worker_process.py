"""The relay worker as its supervisor sees it: it rides out lost database connections and
exits 0 when told to stop."""

import signal
import uuid

import pytest
from django.conf import settings
from django.db import connection

from apps.eventlog.selectors import worker_heartbeat_age_seconds
from tests.eventlog.test_under_load import emit_many, recorder_state
from tests.processes import portal_env, start_workers, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def listening_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename = %s AND query LIKE 'LISTEN %%'",
            [settings.DATABASE_RUNTIME_ROLE],
        )
        return cursor.fetchone()[0]


def cut_portal_connections() -> int:
    """What a PostgreSQL restart does to the worker: every connection of the portal's
    role ends, mid-LISTEN included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND usename = %s",
            [settings.DATABASE_RUNTIME_ROLE],
        )
        return cursor.fetchone()[0]


def test_the_worker_reconnects_after_its_connections_are_cut_and_relays_what_came_after(
    tmp_path,
):
    heartbeat = tmp_path / "alive"
    (worker,) = start_workers(1, portal_env(WORKER_HEARTBEAT_FILE=str(heartbeat)))
    try:
        # The relay and the sealer each listen on a connection of their own.
        assert wait_until(lambda: listening_backends() == 2, 30)
        assert cut_portal_connections() >= 2

        assert wait_until(lambda: listening_backends() == 2, 30), "it listens again"
        assert worker.poll() is None, "the worker must not exit when its connections drop"
        run = uuid.uuid4().hex
        emit_many(run, 20, [])
        assert wait_until(lambda: recorder_state(run)[1] == 20, 30)
        assert recorder_state(run) == (20, 20, 20)
        # Its heartbeat reaches web's readiness through the database.
        assert wait_until(lambda: worker_heartbeat_age_seconds() is not None, 10)
        assert worker_heartbeat_age_seconds() < 30
        # The liveness probe's file keeps being touched while the loop turns.
        beaten = heartbeat.stat().st_mtime
        assert wait_until(lambda: heartbeat.stat().st_mtime > beaten, 10)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, "told to stop, it stops cleanly"
