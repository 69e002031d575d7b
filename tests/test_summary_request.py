"""Asking for a summary: the form, generation ids, force refresh, queueing, roles, the audit log."""

from __future__ import annotations

import json
import uuid

import pytest

from adminui.models import AuditEvent, SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from tests.conftest import HTMX
from tests.summary_helpers import EVALUATION_URL, SUMMARIZE


def summary_bodies(sandbox) -> list[dict]:
    return [call.json() for call in sandbox.received("evaluation_summary", "POST")]


def run_ids(sandbox, outcome: str | None = None) -> list[str]:
    runs = sandbox.state.evaluations[EVAL_ANSWER_RELEVANCE].runs
    return [run.generation_id for run in runs if outcome in (None, run.outcome)]


@pytest.mark.parametrize(
    ("choice", "label", "empty"),
    [
        ("all", "all runs", None),
        ("pass", "passing runs", "fail_count"),
        ("fail", "failing runs", "pass_count"),
        ("na", "n/a runs", "pass_count"),
    ],
)
def test_each_filter_is_sent_and_its_summary_shown(
    editor_client, sandbox, immediate, choice, label, empty
):
    response = editor_client.post(SUMMARIZE, {"filter": choice}, follow=True)
    assert response.status_code == 200
    stored = SummaryRequest.objects.get()
    assert stored.filter == choice
    assert stored.status == SummaryRequest.Status.SUCCEEDED
    assert summary_bodies(sandbox) == [
        {"evaluation_id": EVAL_ANSWER_RELEVANCE, "filter": choice, "force_refresh": False}
    ]
    stats = stored.result["statistics"]
    assert stats["total_analyzed"] == stats["pass_count"] + stats["fail_count"] + stats["na_count"]
    if empty:
        assert stats[empty] == 0
    content = response.content.decode()
    assert f"Summary of {label}" in content
    assert "Overall assessment" in content
    assert f'data-stat="total">{stats["total_analyzed"]}<' in content
    assert '<svg class="chart"' in content


def test_generation_ids_are_pasted_one_per_line_or_comma_separated(
    editor_client, sandbox, immediate
):
    ids = run_ids(sandbox, "fail")[:4]
    pasted = f"{ids[0]}\n{ids[1].upper()}, {ids[2]}\n\n  {ids[3]} ,{ids[0]}\n"
    editor_client.post(SUMMARIZE, {"filter": "all", "generation_ids": pasted})
    stored = SummaryRequest.objects.get()
    assert stored.generation_ids == ids
    assert summary_bodies(sandbox)[0]["generation_ids"] == ids
    assert stored.result["statistics"]["total_analyzed"] == 4


def test_more_than_250_generation_ids_are_refused_before_asking_posthog(editor_client, sandbox):
    pasted = "\n".join(str(uuid.uuid4()) for _ in range(251))
    response = editor_client.post(SUMMARIZE, {"filter": "all", "generation_ids": pasted})
    assert response.status_code == 200
    message = "You pasted 251 generation ids; PostHog summarises at most 250"
    assert message in response.content.decode()
    assert not SummaryRequest.objects.exists()
    assert summary_bodies(sandbox) == []


def test_exactly_250_generation_ids_are_accepted(editor_client, sandbox):
    pasted = ",".join(str(uuid.uuid4()) for _ in range(250))
    editor_client.post(SUMMARIZE, {"filter": "all", "generation_ids": pasted})
    assert len(SummaryRequest.objects.get().generation_ids) == 250


def test_a_bad_generation_id_is_named_with_its_line(editor_client, sandbox):
    good = str(uuid.uuid4())
    pasted = f"{good}\n{good}, not-a-uuid\n\n12345"
    response = editor_client.post(SUMMARIZE, {"filter": "all", "generation_ids": pasted})
    content = response.content.decode()
    assert "Line 2: “not-a-uuid” is not a generation id (UUID)." in content
    assert "Line 4: “12345” is not a generation id (UUID)." in content
    assert "Line 1" not in content
    # What was typed is kept, and the field stays open.
    assert "not-a-uuid" in content
    assert '<details class="generation-ids" open>' in content
    assert not SummaryRequest.objects.exists()


def test_a_bad_generation_id_with_htmx_rerenders_only_the_form(editor_client, sandbox):
    response = editor_client.post(
        SUMMARIZE, {"filter": "all", "generation_ids": "nope"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#summary-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert response.content.lstrip().startswith(b'<form id="summary-form"')
    assert "Line 1: “nope”" in response.content.decode()


def test_an_unknown_filter_is_refused(editor_client, sandbox):
    response = editor_client.post(SUMMARIZE, {"filter": "maybe"})
    assert b"Select a valid choice" in response.content
    assert not SummaryRequest.objects.exists()


def test_regenerate_sends_force_refresh(editor_client, sandbox, immediate):
    editor_client.post(SUMMARIZE, {"filter": "fail"})
    response = editor_client.post(SUMMARIZE, {"filter": "fail", "force_refresh": "on"}, follow=True)
    assert [body["force_refresh"] for body in summary_bodies(sandbox)] == [False, True]
    newest = SummaryRequest.objects.first()
    assert newest.force_refresh
    assert b"regenerated" in response.content
    # The result offers to regenerate again, with the same runs.
    assert b'<input type="hidden" name="force_refresh" value="on">' in response.content
    assert b'<input type="hidden" name="filter" value="fail">' in response.content


def test_the_page_answers_at_once_and_the_request_waits_for_the_worker(editor_client, sandbox):
    response = editor_client.post(SUMMARIZE, {"filter": "fail"})
    stored = SummaryRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{EVALUATION_URL}?summary={stored.pk}#summary"
    assert stored.status == SummaryRequest.Status.QUEUED
    assert stored.task_id
    assert summary_bodies(sandbox) == []  # PostHog is asked by the worker, not the request
    page = editor_client.get(response["Location"]).content.decode()
    assert "Summary requested. It runs in the background" in page
    assert "Queued" in page
    assert "waiting for the background worker" in page
    # With JavaScript the panel polls; without it the page refreshes itself and has a link.
    assert f'hx-get="{EVALUATION_URL}summaries/{stored.pk}/" hx-trigger="every 2s"' in page
    # Both reload the page: a URL that differs only by "#summary" would merely scroll.
    reload_url = f"{EVALUATION_URL}?summary={stored.pk}"
    assert f'<noscript><meta http-equiv="refresh" content="5; url={reload_url}"></noscript>' in page
    assert f'href="{reload_url}">Refresh</a>' in page


def test_htmx_gets_the_polling_panel_and_the_new_url(editor_client, sandbox):
    response = editor_client.post(SUMMARIZE, {"filter": "all"}, headers=HTMX)
    stored = SummaryRequest.objects.get()
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<section id="summary-panel"')
    assert b'hx-trigger="every 2s"' in response.content
    assert response["HX-Push-Url"] == f"{EVALUATION_URL}?summary={stored.pk}"
    assert "summariesChanged" in json.loads(response["HX-Trigger"])


def test_the_same_pending_request_is_not_asked_twice(editor_client, sandbox):
    editor_client.post(SUMMARIZE, {"filter": "all"})
    response = editor_client.post(SUMMARIZE, {"filter": "all"}, follow=True)
    assert SummaryRequest.objects.count() == 1
    assert b"already on its way" in response.content
    editor_client.post(SUMMARIZE, {"filter": "all", "force_refresh": "on"})
    assert SummaryRequest.objects.count() == 2


def test_a_viewer_cannot_ask_for_a_summary(viewer_client, sandbox):
    response = viewer_client.post(SUMMARIZE, {"filter": "all"})
    assert response.status_code == 403
    assert b"This needs the Editor role; you are a Viewer" in response.content
    response = viewer_client.post(SUMMARIZE, {"filter": "all"}, headers=HTMX)
    assert response.status_code == 403
    assert b"<html" not in response.content
    assert not SummaryRequest.objects.exists()
    assert summary_bodies(sandbox) == []


def test_a_viewer_sees_no_form_but_can_read_summaries(viewer_client, editor, sandbox):
    from tests.summary_helpers import stored_summary

    stored = stored_summary(editor)
    page = viewer_client.get(EVALUATION_URL).content.decode()
    assert 'id="summary-form"' not in page
    assert "You have the Viewer role" in page
    assert "Overall assessment" in page
    assert "Regenerate" not in page
    assert f"Summary #{stored.pk}" in page


def test_an_admin_can_ask_for_a_summary(admin_client, sandbox, immediate):
    admin_client.post(SUMMARIZE, {"filter": "pass"})
    assert SummaryRequest.objects.get().requested_by_name == "ada"


def test_the_request_is_recorded_in_the_audit_log(editor_client, sandbox, immediate):
    ids = run_ids(sandbox)[:3]
    editor_client.post(SUMMARIZE, {"filter": "all", "generation_ids": "\n".join(ids)})
    event = AuditEvent.objects.get()
    assert event.action == "evaluation.summarize"
    assert event.actor_name == "eddie"
    assert event.target_type == "evaluation"
    assert event.target_id == EVAL_ANSWER_RELEVANCE
    assert event.target_label == "Answer relevance"
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details == {"filter": "all", "generation_ids": 3, "force_refresh": False}
    log = editor_client.get("/audit/").content.decode()
    assert "asked for a summary of" in log


def test_asking_for_a_summary_needs_a_post(editor_client):
    assert editor_client.get(SUMMARIZE).status_code == 405
