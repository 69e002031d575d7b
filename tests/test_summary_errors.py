"""Every answer PostHog can give a summary request is stored and explained on the page."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from adminui.models import AuditEvent, SummaryRequest
from adminui.posthog import get_client
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE, EVAL_TONE
from tests.summary_helpers import EVALUATION_URL, SUMMARIZE

SUMMARY_PATH = r"/llm_analytics/evaluation_summary"


pytestmark = pytest.mark.usefixtures("immediate")


def ask(client, **data):
    """Ask for a summary and return (the stored request, the page the user lands on)."""
    response = client.post(SUMMARIZE, {"filter": "all", **data}, follow=True)
    assert response.status_code == 200
    return SummaryRequest.objects.first(), response.content.decode()


def test_another_summary_running_for_the_project_is_explained_with_a_retry(editor_client, sandbox):
    sandbox.switch(summary_delay=1.0)
    other = threading.Thread(
        target=lambda: get_client("sandbox").summarize_evaluation(evaluation_id=EVAL_TONE)
    )
    other.start()
    time.sleep(0.3)  # the other summary holds PostHog's per-project lock
    try:
        stored, page = ask(editor_client)
    finally:
        other.join()
    assert stored.status == SummaryRequest.Status.FAILED
    assert stored.error_kind == "locked"
    assert "Another summary is being generated for this project right now" in page
    assert "Another summary running" in page
    assert ">Try again</button>" in page
    # Trying again once the other one has finished works.
    editor_client.post(SUMMARIZE, {"filter": "all"})
    assert SummaryRequest.objects.first().status == SummaryRequest.Status.SUCCEEDED


def test_throttling_says_when_to_try_again(editor_client, sandbox):
    sandbox.faults.add(SUMMARY_PATH, status=429)  # "Expected available in 60 seconds."
    stored, page = ask(editor_client)
    assert stored.error_kind == "throttled"
    assert stored.error_retry_after == 60
    assert "PostHog&#x27;s limit on summaries was reached" in page
    assert "Try again in 60 seconds" in page
    assert "PostHog accepts another request from" in page
    assert stored.retry_at is not None


def test_unapproved_ai_data_processing_says_who_must_do_what(editor_client, sandbox):
    sandbox.switch(ai_data_processing_approved=False)
    stored, page = ask(editor_client)
    assert stored.error_kind == "not_approved"
    assert "An organization admin must approve AI data processing" in page
    assert "in PostHog&#x27;s organization settings" in page
    assert f'href="{sandbox.url}/settings/organization"' in page


def test_an_evaluation_posthog_cannot_find_is_explained(editor_client, sandbox):
    sandbox.faults.add(
        SUMMARY_PATH, status=404, body={"error": f"Evaluation {EVAL_ANSWER_RELEVANCE} not found"}
    )
    stored, page = ask(editor_client)
    assert stored.error_kind == "not_found"
    assert f"PostHog has no evaluation {EVAL_ANSWER_RELEVANCE} in this project" in page
    assert ">Try again</button>" not in page


def test_no_runs_for_the_criteria_is_explained(editor_client, sandbox):
    strangers = "\n".join(str(uuid.uuid4()) for _ in range(3))
    stored, page = ask(editor_client, filter="fail", generation_ids=strangers)
    assert stored.error_kind == "no_runs"
    assert "PostHog found no failing runs among the 3 generations you listed" in page
    assert stored.error_message in page.replace("&#x27;", "'")


def test_field_errors_from_posthog_are_listed(editor_client, sandbox):
    body = {"generation_ids": ["Ensure this field has no more than 250 elements."]}
    sandbox.faults.add(SUMMARY_PATH, status=400, body=body)
    stored, page = ask(editor_client)
    assert stored.error_kind == "invalid"
    assert stored.error_fields == body
    assert "PostHog rejected the request (generation ids: Ensure this field" in page
    assert "<strong>generation_ids</strong>: Ensure this field has no more than 250" in page


def test_a_failed_generation_is_explained_with_a_retry(editor_client, sandbox):
    body = {
        "error": "Failed to generate summary",
        "detail": "An error occurred while generating the summary",
    }
    sandbox.faults.add(SUMMARY_PATH, status=500, body=body)
    stored, page = ask(editor_client)
    assert stored.error_kind == "failed"
    assert "PostHog failed to generate the summary" in page
    assert ">Try again</button>" in page


def test_a_timeout_is_explained(editor_client, sandbox, settings):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add(SUMMARY_PATH, latency=1.0, times=1)
    stored, page = ask(editor_client)
    assert stored.error_kind == "timeout"
    assert "PostHog did not finish the summary within 0.3 seconds" in page
    assert stored.duration_seconds is not None


def test_an_unreachable_posthog_is_explained(editor_client, sandbox):
    sandbox.faults.add(SUMMARY_PATH, drop=True)
    stored, page = ask(editor_client)
    assert stored.error_kind == "unreachable"
    assert "PostHog unreachable" in page


def test_a_missing_scope_is_named(editor_client, sandbox):
    body = {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": "API key missing required scope 'llm_analytics:write'",
        "attr": None,
    }
    sandbox.faults.add(SUMMARY_PATH, status=403, body=body)
    stored, _ = ask(editor_client)
    assert stored.error_kind == "scope"
    assert "llm_analytics:write" in stored.error_message


def test_a_worker_crash_is_stored_so_the_page_stops_waiting(editor_client, sandbox, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("adminui.evaluations.tasks.get_client", broken)
    stored, page = ask(editor_client)
    assert stored.status == SummaryRequest.Status.FAILED
    assert stored.error_kind == "internal"
    assert "The background worker failed while asking for this summary (RuntimeError)" in page


def test_failures_are_recorded_in_the_audit_log(editor_client, sandbox):
    sandbox.switch(ai_data_processing_approved=False)
    ask(editor_client)
    event = AuditEvent.objects.get()
    assert event.action == "evaluation.summarize"
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert "AI data processing must be approved" in event.error


def test_errors_are_kept_in_the_history_and_exports(editor_client, sandbox):
    sandbox.switch(ai_data_processing_approved=False)
    stored, _ = ask(editor_client)
    history = editor_client.get(f"{EVALUATION_URL}summaries/").content.decode()
    assert "Failed" in history
    exported = editor_client.get(f"{EVALUATION_URL}summaries/{stored.pk}/export.json").json()
    assert exported["error"]["kind"] == "not_approved"
    assert "summary" not in exported
    markdown = editor_client.get(f"{EVALUATION_URL}summaries/{stored.pk}/export.md")
    assert "AI data processing not approved" in markdown.content.decode()
