"""Test runs: real PostgreSQL and Redis, fast hashing, keys of their own in Redis."""

import os

# Tests assert on the portal's defaults, so the caller's shell must not change them (a
# FUSIONOPS_LOCAL_LOGIN=true there once failed the production settings test). The test run
# keeps only what locates programs and the machine's services; servers a test starts are
# handed exactly the settings that test chooses (FUSIONOPS_TEST_SERVER marks them).
CALLER_VARIABLES_KEPT = frozenset(
    {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LANGUAGE", "TMPDIR", "TZ",
     "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "TEST_ARTIFACTS_DIR"}
)  # fmt: skip
CALLER_PREFIXES_KEPT = ("LC_", "PYTEST_", "PYENV", "XDG_")
if "FUSIONOPS_TEST_SERVER" not in os.environ:
    for name in list(os.environ):
        if name not in CALLER_VARIABLES_KEPT and not name.startswith(CALLER_PREFIXES_KEPT):
            del os.environ[name]

# The test run itself is a superuser (it creates its databases and tampers with the log as
# an attacker would); servers a test starts connect as the runtime role (tests/processes.py).
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops")

from .base import *  # noqa: E402, F403
from .base import CACHES, CHANNEL_LAYERS, INSTALLED_APPS, REST_FRAMEWORK, env, finalize  # noqa: E402

DEBUG = False
# The test run migrates and tampers as the owner; the servers it starts are the runtime
# role (tests/processes.py sets DATABASE_ROLE=runtime for them).
DATABASE_ROLE = env.str("DATABASE_ROLE", default="owner")
# The tests read the schema by introspection (its refusal in production is tested).
GRAPHQL_INTROSPECTION = True
# Tests sign in with passwords unless they test that it is off.
FUSIONOPS_LOCAL_LOGIN = True
# Webhook receivers are servers the tests start on 127.0.0.1 (the refusals are tested).
WEBHOOK_REQUIRE_HTTPS = False
WEBHOOK_ALLOW_PRIVATE_URLS = True
# Subscribers and a table that tests of the event backbone use.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.eventsapp"]
SECRET_KEY = "test-secret-key-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5"  # noqa: S105
# The audit log's keys: "test" signs; the others are there for the rotation tests, so that
# what those sign verifies for every test after them.
AUDIT_SIGNING_KEYS = {
    "test": "test-audit-key-7c1e9a4b2d8f6053a1c4e7b9d2f5a8c3e6b9d1f4a7",
    "2026-a": "test-audit-key-a-4f7b1d9c3e6a8052b4d7f1a3c6e9b2d5f8a1c4e7",
    "2026-b": "test-audit-key-b-9e2c5a8d1f4b7063c5e8a2d4f7b1c3e6a9d2f5b8",
}
AUDIT_SIGNING_KEY_ID = "test"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_FORMAT = "json"
# Parallel test runs share one Redis: give each process its own cache namespace.
CACHES["default"]["KEY_PREFIX"] = f"fusionops-test-{os.getpid()}"
# ...and its own channel layer (servers a test starts are handed the same prefix).
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env.str(
    "CHANNEL_LAYER_PREFIX", default=f"fusionops-test-{os.getpid()}"
)
# Throttling is tested on purpose, with its own rates; elsewhere it must not interfere.
EVENTS_INGEST_RATE = "100000/min"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "100000/min",
    "user": "100000/min",
    "auth_failure": "100000/min",
}
# Servers a test starts serve static files straight from the project (no collectstatic).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

finalize(globals())
