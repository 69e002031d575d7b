"""Bulk validation without JavaScript runs in the background: the request answers at once with a
progress page that refreshes itself (a meta refresh, or htmx polling with JavaScript) until the
worker has checked every key; the outcomes are stored and each validation is audited."""

from __future__ import annotations

import time

from adminui.models import AuditEvent, BulkValidation
from adminui.sandbox import demo
from tests.conftest import HTMX
from tests.summary_helpers import run_worker

VALIDATE = "/sandbox/keys/validate/"
THREE = [demo.KEY_TOGETHER, demo.KEY_OLD_ANTHROPIC, demo.KEY_CLAUDE]


def test_the_request_answers_at_once_and_checks_nothing_itself(editor_client, sandbox):
    sandbox.switch(validation_delay=1.0)  # a provider round trip per key
    started = time.monotonic()
    response = editor_client.post(VALIDATE, {"key": THREE})
    assert time.monotonic() - started < 1.0
    run = BulkValidation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{VALIDATE}{run.pk}/?next=%2Fsandbox%2Fkeys%2F"
    assert sandbox.received(r"/validate", "POST") == []
    assert {key["id"] for key in run.keys} == set(THREE) and run.status == "queued"


def test_the_progress_page_refreshes_itself_until_the_keys_are_checked(editor_client):
    progress = editor_client.post(VALIDATE, {"key": THREE})["Location"]
    page = editor_client.get(progress).content.decode()
    assert "Validating 3 keys" in page and "Waiting for the background worker." in page
    assert page.count('data-outcome="pending"') == 3
    assert f'<noscript><meta http-equiv="refresh" content="2; url={progress}">' in page.replace(
        "&amp;", "&"
    )
    assert 'hx-trigger="every 2s"' in page

    run_worker()
    page = editor_client.get(progress).content.decode()
    assert "All 3 checked." in page
    assert 'data-outcome="ok"' in page and page.count('data-outcome="invalid"') == 1
    assert "http-equiv" not in page and "every 2s" not in page
    assert 'href="/sandbox/keys/"' in page  # back to the list it came from


def test_with_htmx_the_progress_region_polls_itself(editor_client):
    progress = editor_client.post(VALIDATE, {"key": THREE})["Location"]
    fragment = editor_client.get(progress, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<section class="panel bulk-progress"')
    assert 'hx-trigger="every 2s"' in fragment


def test_each_validation_is_audited_for_the_editor_who_asked(editor_client, editor):
    editor_client.post(VALIDATE, {"key": THREE})
    run_worker()
    events = AuditEvent.objects.filter(action="provider_key.validate").order_by("id")
    assert {event.target_id for event in events} == set(THREE)
    assert {event.actor for event in events} == {editor}
    assert "Together AI batch" in {event.target_label for event in events}


def test_a_key_posthog_cannot_check_says_why_and_the_rest_are_checked(editor_client, sandbox):
    sandbox.faults.add(f"{demo.KEY_OLD_ANTHROPIC}/validate", status=500)
    progress = editor_client.post(VALIDATE, {"key": THREE})["Location"]
    run_worker()
    page = editor_client.get(progress).content.decode()
    assert page.count('data-outcome="failed"') == 1
    assert "Could not check</span> PostHog had an internal error" in page
    assert page.count('data-outcome="ok"') == 2


def test_a_run_stays_in_its_environment_and_needs_the_editor_role(editor_client, viewer_client):
    progress = editor_client.post(VALIDATE, {"key": THREE})["Location"]
    assert viewer_client.get(progress).status_code == 403
    assert editor_client.get(f"{VALIDATE}999/").status_code == 404
