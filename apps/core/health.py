"""Readiness checks: each answers whether a dependency is usable, with its timing."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass
class CheckResult:
    ok: bool
    duration_ms: float
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "duration_ms": self.duration_ms, **self.detail}


def timed(check: Callable[[], dict]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a readiness check reports any failure, it never raises
        detail = {"error": f"{type(exc).__name__}: {exc}".strip()}
        ok = False
    return CheckResult(ok, round((time.perf_counter() - started) * 1000, 2), detail)


def check_database(connection=None) -> dict:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_redis(url: str | None = None) -> dict:
    client = redis.Redis.from_url(
        url or settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_migrations(connection=None) -> dict:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        raise RuntimeError(f"unapplied migrations: {', '.join(pending)}")
    return {}


def readiness() -> dict[str, CheckResult]:
    results = {"database": timed(check_database)}
    results["redis"] = timed(check_redis)
    # Without a database there is nothing to compare migrations against.
    if results["database"].ok:
        results["migrations"] = timed(check_migrations)
    else:
        results["migrations"] = CheckResult(False, 0.0, {"error": "database unavailable"})
    return results
