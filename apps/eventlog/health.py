"""The backbone's part of web's readiness: named checks that say "degraded", not "down"
(the API still accepts work, which waits in the outbox)."""

from django.conf import settings

from apps.eventlog import selectors
from apps.platform.health import register_degradation_check


def worker() -> tuple[bool, dict]:
    age = selectors.worker_heartbeat_age_seconds()
    if age is None:
        return False, {"heartbeat_age_seconds": None, "error": "no_worker_seen"}
    return age <= settings.HEALTH_WORKER_HEARTBEAT_MAX_SECONDS, {
        "heartbeat_age_seconds": round(age, 1)
    }


def outbox() -> tuple[bool, dict]:
    lag = selectors.outbox_lag_seconds()
    return lag <= settings.HEALTH_OUTBOX_LAG_MAX_SECONDS, {"lag_seconds": round(lag, 1)}


def sealer() -> tuple[bool, dict]:
    lag = selectors.seal_lag_seconds()
    return lag <= settings.HEALTH_SEAL_LAG_MAX_SECONDS, {"seal_lag_seconds": round(lag, 1)}


def dead_letters() -> tuple[bool, dict]:
    count = selectors.dead_letter_count()
    return count == 0, {"count": count}


def partitions() -> tuple[bool, dict]:
    ahead = selectors.audit_partition_months_ahead()
    return ahead >= settings.HEALTH_PARTITION_MONTHS_MIN, {"months_ahead": ahead}


def register() -> None:
    for check in (worker, outbox, sealer, dead_letters, partitions):
        register_degradation_check(check.__name__, check)
