"""Jobs the relay worker runs every so often (declared in each app's handlers.py), such as
releasing expired reservations. Each runs in the worker's loop once its interval has
passed; a failing job is logged and tried again at its next turn."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

logger = structlog.get_logger("fusionops.worker")


@dataclass
class PeriodicJob:
    name: str
    every_seconds: Callable[[], float]
    run: Callable[[], int]
    last_run: float = 0.0


_jobs: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every_seconds: Callable[[], float]):
    """Declare `function` (returning how much it did) as a job run every `every_seconds()`
    (a callable, so that settings are read when the job runs)."""

    def register(function: Callable[[], int]) -> Callable[[], int]:
        _jobs[name] = PeriodicJob(name, every_seconds, function)
        return function

    return register


def run_due(*, now: float | None = None) -> None:
    now = time.monotonic() if now is None else now
    for job in _jobs.values():
        try:
            if job.last_run and now - job.last_run < job.every_seconds():
                continue
            job.last_run = now
            done = job.run()
        except Exception:
            logger.exception("worker.periodic_job_failed", job=job.name)
            continue
        if done:
            logger.info("worker.periodic_job_done", job=job.name, count=done)
