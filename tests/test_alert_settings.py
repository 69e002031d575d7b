"""Alert settings are strict like the others: a bad address or URL stops start-up, naming the
variable and never echoing a secret; secrets can come from files; email uses the EMAIL_* ones."""

from __future__ import annotations

import pytest
from django.views.debug import get_exception_reporter_filter

from adminui.posthog.redaction import MASK
from tests.test_settings import PRODUCTION, manage


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ALERT_WEBHOOK_URL": "https://hooks.acme.example/adminui"}, "needs ALERT_WEBHOOK_SECRET"),
        ({"ALERT_EMAIL_TO": "oncall@acme.example, oncall"}, "'oncall' is not one"),
        (
            {"ALERT_SLACK_WEBHOOK_URL": "hooks.slack.com/services/T1/B2/xoxsecretpart"},
            "ALERT_SLACK_WEBHOOK_URL must be a URL starting with https://",
        ),
    ],
)
def test_a_malformed_alert_setting_stops_start_up_without_echoing_a_secret(variables, message):
    result = manage("check", **PRODUCTION, **variables)
    assert result.returncode != 0
    assert message in result.stderr
    assert "xoxsecretpart" not in result.stderr and "hooks.acme" not in result.stderr


def test_alert_secrets_can_come_from_files_and_email_from_the_email_variables(tmp_path):
    slack = tmp_path / "slack"
    slack.write_text("https://hooks.slack.com/services/T1/B2/xoxsecretpart\n")
    shown = (
        "from django.conf import settings as s; o = s.MAILERS['default']['OPTIONS']; "
        "print(s.ALERT_SLACK_WEBHOOK_URL.endswith('xoxsecretpart'), o['host'], o['port'], "
        "o['username'], o['password'] == 'mail-pass', o['use_tls'], s.DEFAULT_FROM_EMAIL)"
    )
    password = tmp_path / "mail"
    password.write_text("mail-pass")
    result = manage(
        "shell",
        "-c",
        shown,
        **PRODUCTION,
        ALERT_SLACK_WEBHOOK_URL_FILE=str(slack),
        EMAIL_HOST="smtp.acme.example",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="adminui",
        EMAIL_HOST_PASSWORD_FILE=str(password),
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="adminui@acme.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "True",
        "smtp.acme.example",
        "587",
        "adminui",
        "True",
        "True",
        "adminui@acme.example",
    ]


def test_the_global_alert_secrets_are_masked_from_start_up_before_any_alert_is_sent():
    shown = (
        "from django.conf import settings as s; from adminui.posthog.redaction import redact; "
        "print(*(redact(value) for value in (s.ALERT_SLACK_WEBHOOK_URL, s.ALERT_WEBHOOK_URL, "
        "s.ALERT_WEBHOOK_SECRET, s.MAILERS['default']['OPTIONS']['password'])))"
    )
    result = manage(
        "shell",
        "-c",
        shown,
        **PRODUCTION,
        ALERT_SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T1/B2/xoxsecretpart",
        ALERT_WEBHOOK_URL="https://hooks.acme.example/adminui/hookpath",
        ALERT_WEBHOOK_SECRET="whsec-startup-secret",
        EMAIL_HOST_PASSWORD="mail-password-value",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [MASK] * 4


CLEANSED = "********************"  # Django's SafeExceptionReporterFilter.cleansed_substitute


def test_error_reports_hide_the_webhook_urls(rf, settings):
    settings.ALERT_SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/T1/B2/xoxsecretpart"
    settings.ALERT_WEBHOOK_URL = "https://hooks.acme.example/adminui/hookpath"
    shown = get_exception_reporter_filter(rf.get("/")).get_safe_settings()
    assert shown["ALERT_SLACK_WEBHOOK_URL"] == shown["ALERT_WEBHOOK_URL"] == CLEANSED
    assert shown["ALERT_EMAIL_TO"] == settings.ALERT_EMAIL_TO  # not every setting is hidden
