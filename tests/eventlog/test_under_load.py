"""Many writers, several relays, a crashing worker: nothing is lost, nothing happens twice."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.eventlog.relay import relay_batch
from apps.eventlog.sealing import audit_seal_pending, audit_verify
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.processes import portal_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emit_many(run: str, count: int, errors: list, **payload) -> None:
    try:
        for _ in range(count):
            with transaction.atomic():
                event_emit(
                    declared("testing.load.generated"),
                    aggregate_id=run,
                    payload=payload,
                    actor=None,
                )
    except Exception as exc:  # collected, asserted on by the test
        errors.append(exc)
    finally:
        connection.close()


def run_threads(target, count: int, *args) -> list:
    errors: list = []
    threads = [threading.Thread(target=target, args=(*args, errors)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def recorder_state(run: str) -> tuple[int, int, int]:
    """(events of the run, their recorder deliveries done, recorder effects)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE d.status = 'done'),
                   (SELECT count(*) FROM eventsapp_effect f
                    JOIN audit_event e2 ON e2.id = f.event_id
                    WHERE e2.aggregate_id = %s AND f.subscriber = 'testing.recorder')
            FROM audit_event e
            JOIN events_delivery d ON d.event_id = e.id AND d.subscriber = 'testing.recorder'
            WHERE e.aggregate_id = %s
            """,
            [run, run],
        )
        return cursor.fetchone()


def test_eight_writers_and_two_relays_deliver_every_event_once():
    run = uuid.uuid4().hex
    assert run_threads(emit_many, 8, run, 500) == []
    assert recorder_state(run)[0] == 4000

    def relay(errors):
        try:
            idle = 0
            while idle < 3:
                idle = idle + 1 if relay_batch(batch_size=100).claimed == 0 else 0
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    assert run_threads(lambda errors: relay(errors), 2) == []
    events, done, effects = recorder_state(run)
    assert (events, done, effects) == (4000, 4000, 4000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM eventsapp_effect "
            "GROUP BY event_id, subscriber HAVING count(*) > 1"
        )
        assert cursor.fetchall() == []
    while audit_seal_pending():
        pass
    verification = audit_verify()
    assert verification.ok, verification.reason
    assert verification.sealed >= 4000


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--batch-size", "50"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing():
    run = uuid.uuid4().hex
    env = portal_env(
        FUSIONOPS_CHAOS_FAILURE_RATE="0.2",
        EVENTS_MAX_ATTEMPTS="20",  # 0.2 ** 20: chaos never exhausts a delivery here
        EVENTS_BACKOFF_BASE_SECONDS="0.01",
        EVENTS_BACKOFF_FACTOR="1.5",
        EVENTS_RELAY_LEASE_SECONDS="1",  # the killed worker's batch is due again soon
    )
    # Each delivery sleeps 2 ms, so a batch of 50 is in flight for about 100 ms.
    writer = threading.Thread(
        target=emit_many,
        args=(
            run,
            600,
            [],
        ),
        kwargs={"sleep_ms": 2},
    )
    writer.start()
    worker = start_worker(env)
    time.sleep(1.5)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    writer.join()
    events, done_before_restart, _ = recorder_state(run)
    assert events == 600
    assert done_before_restart < 600, "the kill should have come before the work was done"

    worker = start_worker(env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and recorder_state(run)[1] < 600:
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert recorder_state(run) == (600, 600, 600)
