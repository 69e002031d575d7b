"""Validate, bulk validate and set active: in place with htmx, POST-redirect-GET without it."""

from __future__ import annotations

import json

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX
from tests.summary_helpers import run_worker

KEYS = "/sandbox/keys/"


def events(response) -> dict:
    return json.loads(response["HX-Trigger"])


def toast_only(response) -> str:
    """The message of an htmx write: nothing swapped in place, one toast out of band."""
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    content = response.content.decode()
    assert content.startswith('<div hx-swap-oob="beforeend:#toasts">')
    return content


def test_validating_with_htmx_refreshes_the_list_and_toasts_the_outcome(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_TOGETHER}/validate/", headers=HTMX)
    content = toast_only(response)
    triggered = events(response)
    assert "dataChanged" in triggered
    assert '<div class="toast toast-success" role="status" data-autohide>' in content
    assert "<span>Key “Together AI batch” validated: valid.</span>" in content


def test_validating_without_javascript_redirects_back_with_a_message(editor_client):
    response = editor_client.post(
        f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/validate/",
        {"next": "/sandbox/keys/?state=invalid"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/sandbox/keys/?state=invalid"
    content = response.content.decode()
    assert "validation failed: Invalid API key." in content
    assert 'class="toast toast-error" role="alert"' in content
    assert AuditEvent.objects.get().action == "provider_key.validate"


def test_a_next_pointing_elsewhere_is_ignored(editor_client):
    response = editor_client.post(
        f"{KEYS}{demo.KEY_TOGETHER}/validate/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/sandbox/keys/"


def test_bulk_validation_without_javascript_checks_each_selected_key(editor_client):
    response = editor_client.post(
        f"{KEYS}validate/", {"key": [demo.KEY_TOGETHER, demo.KEY_OLD_ANTHROPIC]}
    )
    run_worker()  # the background work (tests/test_bulk_validation_in_the_background.py)
    content = editor_client.get(response["Location"]).content.decode()
    assert "Validating 2 keys" in content
    assert 'data-outcome="ok"' in content and 'data-outcome="invalid"' in content
    assert AuditEvent.objects.filter(action="provider_key.validate").count() == 2


def test_bulk_validation_with_htmx_lists_every_key_and_checks_them_as_rows_load(editor_client):
    response = editor_client.post(f"{KEYS}validate/", headers=HTMX)
    content = response.content.decode()
    assert content.count('hx-trigger="load"') == 10
    assert "<html" not in content
    row = editor_client.post(f"{KEYS}{demo.KEY_AZURE}/validate/?as=row", headers=HTMX)
    assert row.content.decode().lstrip().startswith('<li data-outcome="ok"')


def test_bulk_validation_reports_a_key_posthog_could_not_check(editor_client, sandbox):
    sandbox.faults.add(f"{demo.KEY_CLAUDE}/validate", status=500)
    response = editor_client.post(f"{KEYS}validate/", {"key": [demo.KEY_CLAUDE, demo.KEY_TOGETHER]})
    run_worker()
    content = editor_client.get(response["Location"]).content.decode()
    assert 'data-outcome="failed"' in content and "Claude judges" in content
    assert 'data-outcome="ok"' in content


def test_setting_the_active_key(editor_client, sandbox):
    response = editor_client.post(f"{KEYS}{demo.KEY_STAGING_OPENAI}/activate/", headers=HTMX)
    assert "now runs this project&#x27;s evaluations" in toast_only(response)
    assert "dataChanged" in events(response)
    assert sandbox.state.active_key_id == demo.KEY_STAGING_OPENAI
    event = AuditEvent.objects.get()
    assert event.action == "evaluation_config.set_active_key"
    assert event.target_label == "Staging OpenAI", "the name comes from PostHog, not the form"


def test_a_key_that_is_not_valid_cannot_become_active_and_says_why(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/activate/", headers=HTMX)
    assert response.status_code == 400
    assert "dataChanged" not in response.get("HX-Trigger", "")
    content = response.content.decode()
    assert "Cannot activate key with state" in content and "validate the key first" in content
    assert AuditEvent.objects.get().outcome == "failure"


def test_activating_a_key_that_no_longer_exists_says_so(editor_client, sandbox):
    del sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI]
    response = editor_client.post(f"{KEYS}{demo.KEY_STAGING_OPENAI}/activate/")
    assert response.status_code == 404
    assert b"could not find it; it may have been deleted" in response.content


def test_with_htmx_a_vanished_key_is_a_toast_and_the_list_refreshes(editor_client, sandbox):
    del sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI]
    response = editor_client.post(f"{KEYS}{demo.KEY_STAGING_OPENAI}/activate/", headers=HTMX)
    assert response.status_code == 404
    assert response.content.decode().lstrip().startswith('<div class="toast toast-error"')
    assert "dataChanged" in events(response)


def test_the_list_hides_set_active_for_the_active_key_and_disables_it_for_unhealthy_ones(
    editor_client,
):
    content = editor_client.get(KEYS).content.decode()
    assert content.count("Validate this key before setting it as active") == 4


def test_setting_the_active_key_without_javascript_redirects_back_with_a_message(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_CLAUDE}/activate/", follow=True)
    assert response.redirect_chain[-1][0] == KEYS
    content = response.content.decode()
    assert "“Claude judges” now runs this project&#x27;s evaluations." in content
    assert response.context["active_id"] == demo.KEY_CLAUDE


def test_a_bulk_row_that_posthog_cannot_check_says_so_in_its_row(editor_client, sandbox):
    sandbox.faults.add("validate", status=500)
    url = f"{KEYS}{demo.KEY_CLAUDE}/validate/?as=row&name=Claude%20judges"
    content = editor_client.post(url, headers=HTMX).content.decode()
    assert content.lstrip().startswith('<li data-outcome="failed"><strong>Claude judges</strong>')


def test_nothing_ticked_validates_the_keys_the_filters_show(editor_client):
    response = editor_client.post(f"{KEYS}validate/", {"provider": "openai"}, follow=True)
    assert "Validating 2 keys" in response.content.decode()


def test_validating_by_id_still_names_the_key_in_the_audit_log(editor_client):
    editor_client.post(f"{KEYS}{demo.KEY_TOGETHER}/validate/")
    assert AuditEvent.objects.get().target_label == "Together AI batch"
