"""Production settings, served over plain HTTP on loopback, plus the bench-only views."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from fusionops.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
