"""Test runs: real PostgreSQL and Redis, fast hashing, keys of their own in Redis."""

import os

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, INSTALLED_APPS, REST_FRAMEWORK, env, finalize

DEBUG = False
# Tests sign in with passwords unless they test that it is off.
FUSIONOPS_LOCAL_LOGIN = True
# Subscribers and a table that tests of the event backbone use.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.eventsapp"]
SECRET_KEY = "test-secret-key-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_FORMAT = "json"
# Parallel test runs share one Redis: give each process its own cache namespace.
CACHES["default"]["KEY_PREFIX"] = f"fusionops-test-{os.getpid()}"
# ...and its own channel layer (servers a test starts are handed the same prefix).
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env.str(
    "CHANNEL_LAYER_PREFIX", default=f"fusionops-test-{os.getpid()}"
)
# Throttling is tested on purpose, with its own rates; elsewhere it must not interfere.
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
