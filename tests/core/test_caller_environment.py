"""The caller's shell does not change what the tests assert on."""

import os
import subprocess
import sys

from django.conf import settings
from django.db import connections


def test_a_setting_in_the_callers_shell_does_not_reach_the_tests():
    # Run as a developer with local login switched on and one delivery attempt would.
    server = connections["default"].settings_dict
    env = {
        **os.environ,
        # A database of its own: this run's test database is in use.
        "DATABASE_URL": f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/callerenv",
        "FUSIONOPS_LOCAL_LOGIN": "true",
        "EVENTS_MAX_ATTEMPTS": "1",
        "DJANGO_SETTINGS_MODULE": "fusionops.settings.test",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/core/test_security_and_settings.py::"
            "test_production_signs_in_through_the_provider_with_hardened_cookies",
            "tests/core/test_caller_environment.py::test_the_test_run_keeps_its_own_defaults",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_test_run_keeps_its_own_defaults():
    assert "FUSIONOPS_LOCAL_LOGIN" not in os.environ
    assert settings.EVENTS_MAX_ATTEMPTS == 5
