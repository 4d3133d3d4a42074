import json
import logging
import random
import time

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql.operations import DatabaseOperations
from psycopg.errors import DeadlockDetected
from rest_framework.test import APIClient

from apps.platform import db_roles
from tests.factories import UserFactory, issue_token
from tests.processes import Portal


def pytest_addoption(parser):
    group = parser.getgroup("fusionops image")
    group.addoption("--image", default="localhost/fusionops:dev", help="Image under test.")
    group.addoption(
        "--sbom", default="var/artifacts/sbom.json", help="The SBOM written for that image."
    )
    contract = parser.getgroup("fusionops contract (make test-contract)")
    contract.addoption(
        "--contract-seed",
        type=int,
        default=None,
        help="Replay a run: the seed a failed run printed (default: a new one each run).",
    )
    contract.addoption(
        "--contract-max-examples",
        type=int,
        default=3,
        help="Cases per operation and phase (default 3, what CI runs).",
    )


def pytest_configure(config):
    if config.option.contract_seed is None:
        config.option.contract_seed = random.SystemRandom().randrange(2**31)


def pytest_report_header(config):
    return f"contract: random seed {config.option.contract_seed} (--contract-seed replays one)"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The portal's two database roles exist before the test database is migrated: its
    grants go to the runtime role, which the servers tests start connect as."""
    with psycopg.connect(settings.DATABASE_ADMIN_URL, autocommit=True) as admin:
        db_roles.ensure_roles(
            admin, owner=settings.DATABASE_OWNER_ROLE, runtime=settings.DATABASE_RUNTIME_ROLE
        )


@pytest.fixture(scope="session", autouse=True)
def _flush_outlasts_a_deadlock():
    """Tests beside a running portal (one per module, tests/cli) empty the tables while its
    worker works: TRUNCATE and a worker transaction can deadlock, and PostgreSQL may choose
    the TRUNCATE as the one to end. It is tried again, as the worker's transaction is."""
    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        for attempt in range(5):
            try:
                return flush(self, sql_list)
            except OperationalError as error:
                if attempt == 4 or not isinstance(error.__cause__, DeadlockDetected):
                    raise
                time.sleep(0.2)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached values live in Redis; each test starts clean. Only this
    run's keys are deleted (the prefix is per process): Redis may be shared."""
    from django.core.cache import cache

    cache.delete_pattern("*")
    yield


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_as():
    """client_as("Viewer", ...) → an API client authenticated with a bearer token of a new
    user holding those roles (none: a user without any role)."""

    def make(*roles):
        user = UserFactory(roles=list(roles))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
        client.user = user
        return client

    return make


@pytest.fixture
def log_lines():
    """Log records as the portal's configured formatter writes them: JSON objects."""
    root = logging.getLogger()
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = ListHandler()
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


@pytest.fixture
def one_window(monkeypatch):
    """All requests of the test fall in one rate-limit window, however slow they are."""
    from apps.platform.api.throttling import FixedWindowMixin

    monkeypatch.setattr(FixedWindowMixin, "timer", lambda self: 1_700_000_010.0, raising=False)


@pytest.fixture
def portal():
    """The portal's real processes (gunicorn, uvicorn, a worker) for one test. One per
    test: a portal left running across tests would hold the tables the transactional tests
    empty after each test."""
    running = Portal()
    yield running
    running.stop()
