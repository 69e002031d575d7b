"""A web request's PostHog calls end within a budget below the server's worker timeout, and
every write is in the audit log before it is sent."""

from __future__ import annotations

import time

import pytest

from adminui.audit.service import Target, record_call
from adminui.models import AuditEvent
from adminui.posthog import get_environment
from adminui.sandbox import demo
from tests.test_settings import manage

VALIDATE = f"/sandbox/keys/{demo.KEY_STAGING_OPENAI}/validate/"


def test_a_slow_write_is_answered_within_the_budget_with_a_clear_message(
    editor_client, sandbox, settings
):
    settings.POSTHOG_WEB_BUDGET = 1.5
    settings.POSTHOG_LLM_READ_TIMEOUT = 90
    sandbox.faults.add("validate", method="POST", latency=4, times=1)
    started = time.monotonic()
    response = editor_client.post(VALIDATE)
    assert time.monotonic() - started < 3
    assert response.status_code == 504
    content = response.content.decode()
    assert "PostHog did not answer within this page&#x27;s time limit (1.5 seconds in all)" in (
        content
    )
    assert "may or may not have been saved" in content
    event = AuditEvent.objects.get()
    assert event.action == "provider_key.validate"
    assert event.outcome == AuditEvent.Outcome.UNKNOWN


def test_several_calls_of_one_page_share_the_budget(viewer_client, sandbox, settings):
    settings.POSTHOG_WEB_BUDGET = 1.5
    sandbox.faults.add("dependent_configs|models|evaluation_config", latency=4)
    started = time.monotonic()
    response = viewer_client.get(f"/sandbox/keys/{demo.KEY_STAGING_OPENAI}/")
    assert time.monotonic() - started < 3
    assert response.status_code == 200  # each card says it timed out
    assert "this page&#x27;s time limit" in response.content.decode()


def test_the_audit_row_exists_before_the_write_is_sent(editor, sandbox):
    outcomes_while_sending = []
    record_call(
        editor,
        get_environment(),
        action="provider_key.validate",
        target=Target("provider_key", demo.KEY_STAGING_OPENAI),
        sent=None,
        call=lambda: outcomes_while_sending.append(AuditEvent.objects.get().outcome),
    )
    assert outcomes_while_sending == [AuditEvent.Outcome.PENDING]
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.SUCCESS


def test_a_write_whose_worker_was_stopped_stays_in_the_log_as_unanswered(
    editor, admin_client, sandbox
):
    def killed_by_the_server_timeout():
        raise SystemExit(1)  # what gunicorn's worker abort raises mid-request

    with pytest.raises(SystemExit):
        record_call(
            editor,
            get_environment(),
            action="provider_key.validate",
            target=Target("provider_key", demo.KEY_STAGING_OPENAI, "Staging OpenAI"),
            sent=None,
            call=killed_by_the_server_timeout,
        )
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.PENDING
    page = admin_client.get("/audit/").content.decode()
    assert "No answer recorded" in page and "check in PostHog whether it happened" in page


def test_the_llm_timeout_defaults_below_the_servers_worker_timeout():
    shown = (
        "from django.conf import settings as s; "
        "print(s.POSTHOG_WEB_BUDGET, s.POSTHOG_LLM_READ_TIMEOUT)"
    )
    result = manage("shell", "--no-imports", "-c", shown, WEB_TIMEOUT="30")
    assert result.returncode == 0, result.stderr
    budget, llm = map(float, result.stdout.split())
    assert budget == 20 and llm < budget < 30
    assert manage("shell", "--no-imports", "-c", shown).stdout.split() == ["110.0", "90.0"]


def test_a_budget_that_outlives_the_worker_stops_start_up():
    result = manage("check", WEB_TIMEOUT="30", POSTHOG_WEB_BUDGET="45")
    assert result.returncode != 0
    assert "POSTHOG_WEB_BUDGET (45 s) must be below WEB_TIMEOUT (30 s)" in result.stderr
