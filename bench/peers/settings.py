"""bench.settings plus the peers and their models (run from .venv-peers only)."""

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "simple_history",
    "auditlog",
    "pgtrigger",
    "pghistory",
    "procrastinate.contrib.django",
    "bench.peers",
]
# bench_peers has no migrations (its tables come from migrate --run-syncdb), so pghistory's
# triggers are installed by `pgtrigger install` once its tables exist (bench/peers/run.py).
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = False
