"""Production settings, served over plain HTTP on loopback, plus the bench-only views."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The benchmarks measure the code, on a database of their own as its owner.
os.environ.setdefault("DATABASE_REFUSE_PRIVILEGED", "false")
# The webhook receivers of the benchmarks listen on loopback, over plain HTTP.
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("WEBHOOK_REQUIRE_HTTPS", "false")

from fusionops.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
