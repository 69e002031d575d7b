"""Deleting a key: a confirmation that lists what uses it and offers a replacement."""

from __future__ import annotations

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX


def url(key_id: str) -> str:
    return f"/sandbox/keys/{key_id}/delete/"


def deletes(sandbox) -> list[str]:
    return [call.target for call in sandbox.received("", "DELETE")]


def test_the_confirmation_lists_dependent_evaluations_and_healthy_replacements(editor_client):
    content = editor_client.get(url(demo.KEY_PRODUCTION_OPENAI)).content.decode()
    assert "This cannot be undone." in content
    assert "Answer relevance" in content
    assert f'<option value="{demo.KEY_STAGING_OPENAI}" selected>Staging OpenAI</option>' in content
    assert "<html" in content  # a full page without JavaScript


def test_htmx_gets_the_confirmation_as_a_dialog(editor_client):
    content = editor_client.get(url(demo.KEY_PRODUCTION_OPENAI), headers=HTMX).content.decode()
    assert content.lstrip().startswith("<dialog data-onload-showmodal")
    assert "<html" not in content


def test_without_a_replacement_it_warns_that_evaluations_will_be_disabled(editor_client):
    content = editor_client.get(url(demo.KEY_CLAUDE)).content.decode()
    assert "No replacement keys available" in content
    assert "will be disabled after deletion" in content


def test_deleting_with_a_replacement_sends_it_and_returns_to_the_list(editor_client, sandbox):
    response = editor_client.post(
        url(demo.KEY_PRODUCTION_OPENAI),
        {"replacement_key_id": demo.KEY_STAGING_OPENAI, "next": "/sandbox/keys/?provider=openai"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/sandbox/keys/?provider=openai"
    assert "Key “Production OpenAI” deleted." in response.content.decode()
    assert deletes(sandbox) == [
        # The portal followed PostHog's successor-version link on its first answer.
        f"/api/projects/4242/llm_analytics/provider_keys/{demo.KEY_PRODUCTION_OPENAI}/"
        f"?replacement_key_id={demo.KEY_STAGING_OPENAI}"
    ]
    assert sandbox.state.active_key_id == demo.KEY_STAGING_OPENAI
    event = AuditEvent.objects.get()
    assert event.details == {"replacement_key_id": demo.KEY_STAGING_OPENAI}


def test_deleting_with_htmx_redirects_the_browser_to_the_list(editor_client):
    response = editor_client.post(url(demo.KEY_TOGETHER), headers=HTMX)
    assert response["HX-Redirect"] == "/sandbox/keys/"


def test_posthog_refusing_a_replacement_is_shown_not_a_crash(editor_client, sandbox):
    response = editor_client.post(
        url(demo.KEY_PRODUCTION_OPENAI), {"replacement_key_id": demo.KEY_CLAUDE}, headers=HTMX
    )
    assert response.status_code == 400
    assert b"Replacement key must be from the same provider" in response.content
    assert demo.KEY_PRODUCTION_OPENAI in sandbox.state.provider_keys


def test_the_confirmation_still_works_when_posthog_cannot_list_dependents(editor_client, sandbox):
    sandbox.faults.add("dependent_configs", status=500)
    response = editor_client.get(url(demo.KEY_PRODUCTION_OPENAI))
    content = response.content.decode()
    assert response.status_code == 200
    assert "PostHog could not say which evaluations use this key" in content
    assert "Delete key" in content


def test_the_confirmation_of_the_active_key_says_its_replacement_becomes_active(editor_client):
    content = editor_client.get(url(demo.ACTIVE_KEY_ID)).content.decode()
    assert "This is the active key" in content
    assert "The key you move its evaluations to becomes the active key" in content
    assert "no key will be active" in content
    assert "2 evaluations have this key as their own:" in content  # the others run with it too


def test_deleting_an_active_key_no_evaluation_pins_says_what_it_means_for_the_rest(
    editor_client, sandbox
):
    sandbox.state.active_key_id = demo.KEY_TOGETHER  # no evaluation has it as its own

    content = editor_client.get(url(demo.KEY_TOGETHER)).content.decode()

    assert "No evaluation uses this key" not in content
    assert "No evaluation has this key as its own." in content
    assert "evaluations without a key of their own run with it" in content
    assert "they have no key to run with until you set one as active" in content


def test_the_confirmation_of_another_key_says_nothing_about_the_active_key(editor_client):
    assert "active key" not in editor_client.get(url(demo.KEY_CLAUDE)).content.decode()


def test_deleting_the_active_key_says_which_key_runs_evaluations_now(editor_client, sandbox):
    response = editor_client.post(
        url(demo.ACTIVE_KEY_ID),
        {"replacement_key_id": demo.KEY_STAGING_OPENAI, "was_active": "1"},
        follow=True,
    )
    assert "“Staging OpenAI” now runs this project&#x27;s evaluations." in response.content.decode()


def test_deleting_the_active_key_without_a_replacement_says_none_is_active(editor_client, sandbox):
    response = editor_client.post(url(demo.ACTIVE_KEY_ID), {"was_active": "1"}, follow=True)
    assert sandbox.state.active_key_id is None
    assert "No key runs this project&#x27;s evaluations now" in response.content.decode()
