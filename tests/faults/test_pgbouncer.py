"""The portal behind a transaction-pooling PgBouncer (deploy/pgbouncer/pgbouncer.ini): web
and ws through it, the worker directly (DATABASE_DIRECT_URL, as deploy/entrypoint.sh
arranges); the steady load, and a PostgreSQL restart behind PgBouncer, lose nothing."""

import os
import sys
import time

import pytest
from django.conf import settings
from django.db import connections

from tests.faults.checks import assert_nothing_lost
from tests.faults.load import LiveFollower, SteadyLoad
from tests.faults.servers import PgBouncer
from tests.processes import Portal, start, stop, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pgbouncer(postgres_server):
    database = connections["default"].settings_dict["NAME"]
    bouncer = PgBouncer(postgres_server, database=database, users=[settings.DATABASE_RUNTIME_ROLE])
    yield bouncer
    bouncer.stop()


@pytest.fixture
def fault_portal(pgbouncer, postgres_server, redis_server, fault_logs):
    database = connections["default"].settings_dict["NAME"]
    role = settings.DATABASE_RUNTIME_ROLE
    running = Portal(
        logs=fault_logs,
        DATABASE_URL=f"postgres://{role}@127.0.0.1:{pgbouncer.port}/{database}",
        DATABASE_TRANSACTION_POOLING="true",
        DATABASE_DIRECT_URL=f"postgres://{role}@127.0.0.1:{postgres_server.port}/{database}",
        REDIS_URL=redis_server.url, LOG_LEVEL="ERROR", EVENTS_RELAY_LEASE_SECONDS="5",
    )  # fmt: skip
    # The worker as the image starts it: the entry point connects it directly.
    stop([running.worker])
    worker_env = running.env_of("worker")
    worker_env["PATH"] = f"{os.path.dirname(sys.executable)}:{worker_env['PATH']}"
    running.worker = start(
        ["sh", "deploy/entrypoint.sh", "worker"], worker_env, log=running.log_of("worker")
    )
    yield running
    running.stop()


def listening(database: str) -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s "
            "AND query LIKE 'LISTEN %%'",
            [database, settings.DATABASE_RUNTIME_ROLE],
        )
        return cursor.fetchone()[0]


def test_the_steady_load_and_a_restart_behind_pgbouncer_lose_nothing(
    postgres_server, pgbouncer, fault_portal, load_fixture, viewer_token, record_property
):
    database = connections["default"].settings_dict["NAME"]
    # The worker listens on its direct sessions (through PgBouncer, LISTEN would be lost).
    assert wait_until(lambda: listening(database) == 2, 30)
    follower = LiveFollower(fault_portal.ws_url, viewer_token, ["allocations"]).start()
    load = SteadyLoad(load_fixture, writers=6).start()
    time.sleep(5)

    connections.close_all()
    postgres_server.restart("fast")
    time.sleep(5)
    load.stop()

    assert fault_portal.worker.poll() is None
    # Web and ws worked through PgBouncer: at least a transaction per request it answered.
    assert pgbouncer.transactions(database) >= load.table()["2xx"]
    table = assert_nothing_lost(load, [follower])
    assert wait_until(lambda: listening(database) == 2, 30), "the worker listens again"
    record_property("fault_table", table)
    print(f"\npgbouncer, postgresql restarted behind it: {table}")
