"""Security headers, and configuration from the environment under production settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from fusionops.settings.base import INSECURE_SECRET_KEY

pytestmark = pytest.mark.django_db

STRONG_SECRET = "k3J9x!qP2vL8mN4rT6wY1zA5cE7gH0jB3dF6hK9nQ2sU5xW8-strong"
AUDIT_KEYS = '{"2026-12": "Zq8vT1mK4pR7sW0yB3nE6hJ9cF2gL5xA8dU1iO4kM7"}'


def run_manage(*args, env_overrides: dict) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_pages_carry_csp_nosniff_referrer_policy_and_frame_denial(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/health/live")
    secure = client.get("/health/live", secure=True)
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


def test_production_refuses_to_start_on_the_development_secret():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
            "SECRET_KEY": INSECURE_SECRET_KEY,
        },
    )
    assert result.returncode != 0
    assert "SECRET_KEY is the insecure development default" in result.stderr


@pytest.mark.parametrize("command", [["check"], ["run_worker", "--once"], ["migrate"]])
def test_every_command_runs_production_settings_by_default_and_refuses_without_a_secret(
    command,
):
    result = run_manage(*command, env_overrides={})  # no DJANGO_SETTINGS_MODULE either
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_without_a_settings_module_manage_py_runs_production_settings():
    result = run_manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)",
        env_overrides={"SECRET_KEY": STRONG_SECRET, "AUDIT_SIGNING_KEYS": AUDIT_KEYS,
                       "AUDIT_SIGNING_KEY_ID": "2026-12"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["fusionops.settings.production", "False"]


def test_debug_off_refuses_a_short_secret():
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.development",
            "DEBUG": "false",
            "SECRET_KEY": "short",
        },
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_development_with_debug_on_runs_on_the_default_secret():
    result = run_manage(
        "check", env_overrides={"DJANGO_SETTINGS_MODULE": "fusionops.settings.development"}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
            "SECRET_KEY": STRONG_SECRET,
            "ALLOWED_HOSTS": "ops.example.com",
            "AUDIT_SIGNING_KEYS": AUDIT_KEYS,
            "AUDIT_SIGNING_KEY_ID": "2026-12",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_the_audit_log_is_keyed_by_secret_key():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
            "SECRET_KEY": STRONG_SECRET,
            "ALLOWED_HOSTS": "ops.example.com",
        },
    )
    assert result.returncode != 0
    assert "eventlog.W001" in result.stdout + result.stderr


def test_production_settings_read_the_environment():
    code = (
        "from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['NAME'], d['HOST'], d['PORT'], s.REDIS_URL, s.ALLOWED_HOSTS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.APP_BUILD, s.LOG_FORMAT)"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
            "SECRET_KEY": STRONG_SECRET,
            "DATABASE_URL": "postgres://ops@db.internal:6543/fusionops_prod",
            "REDIS_URL": "redis://cache.internal:6380/2",
            "ALLOWED_HOSTS": "ops.example.com,ops2.example.com",
            "APP_BUILD": "build-77",
            "LOG_FORMAT": "console",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "fusionops_prod",
        "db.internal",
        "6543",
        "redis://cache.internal:6380/2",
        "['ops.example.com',",
        "'ops2.example.com']",
        "True",
        "True",
        "True",
        "build-77",
        "console",
    ]


def test_production_signs_in_through_the_provider_with_hardened_cookies():
    code = (
        "from django.conf import settings as s;"
        "print(s.FUSIONOPS_LOCAL_LOGIN, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS)"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
            "SECRET_KEY": STRONG_SECRET,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False", "True", "True", "Lax", "True", "True", "Lax", "31536000",
    ]  # fmt: skip


def test_the_logout_redirect_to_the_provider_is_allowed_by_csp_and_bad_role_maps_refused():
    code = (
        "from django.conf import settings as s;"
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "fusionops.settings.production",
        "SECRET_KEY": STRONG_SECRET,
        "OIDC_OP_DISCOVERY_URL": "https://sso.example.com/realms/ops/.well-known/openid-configuration",
    }
    result = run_manage("shell", "-c", code, env_overrides=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[\"'self'\", 'https://sso.example.com']"
    refused = run_manage("check", env_overrides={**env, "OIDC_ROLE_MAP": "ops=Operators"})
    assert refused.returncode != 0
    assert "OIDC_ROLE_MAP names roles that do not exist" in refused.stderr
