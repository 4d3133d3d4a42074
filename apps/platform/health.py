"""Readiness checks: each answers whether a dependency is usable, with its timing."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
import structlog
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

logger = structlog.get_logger("fusionops.health")

# Redis 7 brought EXPIRE ... NX, which rate limiting relies on.
MINIMUM_REDIS_VERSION = (7, 0)


class PendingMigrations(Exception):
    code = "pending_migrations"


class UnsupportedVersion(Exception):
    code = "unsupported_version"


@dataclass
class CheckResult:
    ok: bool
    duration_ms: float
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "duration_ms": self.duration_ms, **self.detail}


def timed(name: str, check: Callable[[], dict]) -> CheckResult:
    """Run a check. Anyone may call readiness, so the answer names only a stable code;
    the error itself (hosts, users, migration names) goes to the log."""
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a readiness check reports any failure, it never raises
        logger.warning("health.check_failed", check=name, error=f"{type(exc).__name__}: {exc}")
        timeout = isinstance(exc, TimeoutError | redis.TimeoutError)
        detail = {"error": getattr(exc, "code", "timeout" if timeout else "unavailable")}
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
        version = client.info("server")["redis_version"]
    finally:
        client.close()
    if tuple(int(part) for part in version.split(".")[:2]) < MINIMUM_REDIS_VERSION:
        raise UnsupportedVersion(f"Redis {version} is older than 7.0")
    return {}


def check_migrations(connection=None) -> dict:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    # Every migration of the graph, not only the path to the leaves: a gap in the
    # middle of the history is as unapplied as a new one at the end.
    pending = sorted(set(loader.graph.nodes) - set(loader.applied_migrations))
    if pending:
        raise PendingMigrations(", ".join(f"{app}.{name}" for app, name in pending))
    return {}


# How well the portal works, beyond whether it can serve: a failing one makes readiness
# "degraded" (still 200: web serves while the relay is behind). Apps register them here,
# since the kernel imports no app; each returns (ok, detail).
_degradation_checks: dict[str, Callable[[], tuple[bool, dict]]] = {}


def register_degradation_check(name: str, check: Callable[[], tuple[bool, dict]]) -> None:
    _degradation_checks[name] = check


def degradations() -> dict[str, CheckResult]:
    results = {}
    for name, check in _degradation_checks.items():
        started = time.perf_counter()
        try:
            ok, detail = check()
        except Exception as exc:  # reported, never raised
            logger.warning("health.check_failed", check=name, error=f"{type(exc).__name__}: {exc}")
            ok, detail = False, {"error": "unavailable"}
        results[name] = CheckResult(ok, round((time.perf_counter() - started) * 1000, 2), detail)
    return results


def readiness() -> dict[str, CheckResult]:
    results = {"database": timed("database", check_database)}
    results["redis"] = timed("redis", check_redis)
    # Without a database there is nothing to compare migrations against.
    if results["database"].ok:
        results["migrations"] = timed("migrations", check_migrations)
    else:
        results["migrations"] = CheckResult(False, 0.0, {"error": "database_unavailable"})
    return results
