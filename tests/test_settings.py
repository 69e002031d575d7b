"""Settings come from the environment and are strict: a malformed value stops start-up."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT, unconfigured_environment

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "false",
    "ALLOWED_HOSTS": "adminui.example.com",
    "POSTHOG_HOST": "https://us.posthog.com",
    "POSTHOG_PERSONAL_API_KEY": "phx_settings_test_key",
    "POSTHOG_PROJECT_ID": "12345",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=unconfigured_environment() | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_runs_with_no_variables_at_all():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


# What the README's production section sets, as `make stack` runs it.
PRODUCTION_STACK = {
    **PRODUCTION,
    "DATABASE_URL": "postgresql://adminui:pw@db.internal:5432/adminui",
    "CACHE_URL": "redis://:pw@cache.internal:6379/0",
    "TRUST_X_FORWARDED_PROTO": "true",
    "CSRF_TRUSTED_ORIGINS": "https://adminui.example.com",
}


def test_the_production_stack_passes_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_STACK)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_shares_state_compresses_and_logs_json():
    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['staticfiles']['BACKEND'], s.SESSION_ENGINE, "
        "s.CACHES['default']['BACKEND'], s.MESSAGE_STORAGE, s.LOG_FORMAT, "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, "
        "'django.middleware.gzip.GZipMiddleware' in s.MIDDLEWARE, "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION_STACK)
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.contrib.sessions.backends.cached_db",
        "adminui.ops.cache.ResilientRedisCache",
        "django.contrib.messages.storage.session.SessionStorage",
        "json",
        "True",
        "True",
        "True",
    ], result.stderr


def test_gunicorns_timeout_is_the_portals_web_timeout():
    code = (
        "import runpy; c = runpy.run_path('deploy/gunicorn.conf.py'); "
        "print(c['worker_class'], c['timeout'], c['graceful_timeout'])"
    )
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_") and k != "WEB_TIMEOUT"
    }

    def settings_with(**env: str) -> list[str]:
        command = [sys.executable, "-c", code]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=clean | env)
        return run.stdout.split()

    assert settings_with() == ["gthread", "120", "120"]
    assert settings_with(WEB_TIMEOUT="200")[1:] == ["200", "200"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("POSTHOG_PROJECT_ID", "twelve", "POSTHOG_PROJECT_ID must be a whole number"),
        ("POSTHOG_HOST", "us.posthog.com", "POSTHOG_HOST must be a URL"),
        (
            "POSTHOG_API_PREFIX",
            "teams",
            "POSTHOG_API_PREFIX must be one of auto, environments, projects",
        ),
        ("POSTHOG_READ_TIMEOUT", "-1", "POSTHOG_READ_TIMEOUT must be greater than 0"),
        ("DATABASE_URL", "mysql://db/adminui", "DATABASE_URL must be a postgres"),
        ("CACHE_URL", "memcached://cache", "CACHE_URL must be a URL starting with redis://"),
        ("KEY_ROTATION_DAYS", "0", "KEY_ROTATION_DAYS must be at least 1"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name, value, message):
    result = manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_rejected_url_never_echoes_its_password():
    result = manage(
        "check", **{**PRODUCTION, "CACHE_URL": "memcache://:s3cretPassw0rd@cache:11211"}
    )
    assert "CACHE_URL must be a URL starting with redis://" in result.stderr
    assert "s3cretPassw0rd" not in result.stderr


def test_production_needs_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required" in result.stderr


def test_a_real_posthog_needs_its_personal_api_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "POSTHOG_PERSONAL_API_KEY"}
    result = manage("check", **env)
    assert (
        "POSTHOG_PERSONAL_API_KEY (or POSTHOG_PERSONAL_API_KEY_FILE) is required" in result.stderr
    )


def test_the_personal_api_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "posthog-key"
    secret.write_text("phx_from_a_file\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "POSTHOG_PERSONAL_API_KEY"}
    code = (
        "from django.conf import settings; "
        "print(settings.POSTHOG_PERSONAL_API_KEY == 'phx_from_a_file')"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, POSTHOG_PERSONAL_API_KEY_FILE=str(secret), **env
    )
    assert result.stdout.strip() == "True", result.stderr


def test_a_missing_key_file_is_named():
    env = {k: v for k, v in PRODUCTION.items() if k != "POSTHOG_PERSONAL_API_KEY"}
    result = manage("check", POSTHOG_PERSONAL_API_KEY_FILE="/nonexistent/key", **env)
    assert "POSTHOG_PERSONAL_API_KEY_FILE points to '/nonexistent/key'" in result.stderr


def test_production_cookies_are_secure_and_development_ones_are_not():
    code = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.DEBUG)"
    )
    assert manage("shell", "--no-imports", "-c", code, **PRODUCTION).stdout.split() == [
        "True",
        "True",
        "False",
    ]
    assert manage("shell", "--no-imports", "-c", code).stdout.split() == ["False", "False", "True"]
