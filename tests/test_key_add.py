"""Adding a key: pre-validation, PostHog's errors on the right field, nothing typed is lost."""

from __future__ import annotations

import json
import logging
import time

from django.utils import timezone

from adminui.models import AuditEvent
from tests.conftest import HTMX

URL = "/sandbox/keys/add/"
CHECK = "/sandbox/keys/check/"
SECRET = "sk-ant-typed-secret-value-9f8e7d"


def form_data(**changes) -> dict:
    return {"provider": "anthropic", "name": "Judges", "api_key": SECRET, **changes}


def posts_to(sandbox, path_part: str) -> list[dict]:
    return [call.json() for call in sandbox.received(path_part, "POST")]


def test_the_form_offers_every_provider_and_checks_use_for_evaluations_only_without_an_active_key(
    editor_client, sandbox
):
    content = editor_client.get(URL).content.decode()
    for label in ("OpenAI", "Anthropic", "Google Gemini", "Azure OpenAI", "OpenRouter"):
        assert f">{label}</option>" in content
    assert 'name="set_as_active" id="id_set_as_active" checked' not in content
    sandbox.state.active_key_id = None
    content = editor_client.get(URL).content.decode()
    assert 'name="set_as_active" id="id_set_as_active" checked' in content


def test_a_valid_key_is_created_audited_and_the_secret_goes_nowhere_else(
    editor_client, sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    response = editor_client.post(URL, form_data(), follow=True)
    assert response.status_code == 200
    assert b"Judges" in response.content and b"added" in response.content
    assert posts_to(sandbox, "provider_keys")[0]["api_key"] == SECRET
    event = AuditEvent.objects.get(action="provider_key.create")
    assert event.outcome == "success" and event.target_id and event.actor_name == "eddie"
    assert SECRET not in json.dumps(event.details)
    assert SECRET not in response.content.decode()
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


def test_a_second_key_with_an_existing_name_is_added_with_a_warning(editor_client, sandbox):
    response = editor_client.post(URL, form_data(name="Claude judges"), follow=True)
    content = response.content.decode()
    assert "Key “Claude judges” added." in content
    assert "Another key is already called “Claude judges” (Anthropic key " in content
    unique = editor_client.post(URL, form_data(name="Judges"), follow=True).content.decode()
    assert "Another key is already called" not in unique


def test_htmx_gets_a_client_redirect_to_the_new_key(editor_client):
    response = editor_client.post(URL, form_data(), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/sandbox/keys/")


def test_posthogs_400_lands_on_the_api_key_field_and_other_values_are_kept(editor_client):
    response = editor_client.post(URL, form_data(api_key="not-an-anthropic-key"), headers=HTMX)
    assert response.status_code == 200
    form = response.context["form"]
    assert "Key should start with 'sk-ant-'" in " ".join(form.errors["api_key"])
    content = response.content.decode()
    assert 'value="Judges"' in content
    assert "not-an-anthropic-key" not in content, "the typed key is never sent back"
    assert AuditEvent.objects.get().outcome == "failure"


def test_a_key_the_provider_rejects_is_explained_on_the_field(editor_client):
    response = editor_client.post(URL, form_data(api_key="sk-ant-invalid-1234567"))
    assert response.context["form"].errors["api_key"] == ["Invalid API key"]


def created_keys_named(sandbox, name: str) -> list:
    return [key for key in sandbox.state.provider_keys.values() if key.name == name]


def until_the_late_create_lands(sandbox, name: str, before: int) -> None:
    """The sandbox still makes the key after the portal gave up: wait for it, so it lands in
    this test's sandbox state and not in the next one's."""
    deadline = time.monotonic() + 5
    while len(created_keys_named(sandbox, name)) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(created_keys_named(sandbox, name)) == before + 1


def test_a_create_answered_too_late_finds_the_key_it_made_instead_of_offering_a_retry(
    editor_client, sandbox, settings
):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add("provider_keys", method="POST", answer_latency=1.0, times=1)
    response = editor_client.post(URL, form_data())
    assert response.status_code == 200
    (created,) = created_keys_named(sandbox, "Judges")
    at = timezone.localtime(created.created_at).strftime("%H:%M")
    content = response.content.decode()
    assert (
        f"PostHog did not answer in time, but a key named “Judges” was created at {at}: "
        "it is probably yours." in content
    )
    assert f'href="/sandbox/keys/{created.id}/"' in content
    assert 'value="Judges"' in content and SECRET not in content
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.UNKNOWN


def test_a_create_that_timed_out_before_posthog_made_the_key_says_it_can_be_tried_again(
    editor_client, sandbox, settings
):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add("provider_keys", method="POST", latency=1.0, times=1)
    response = editor_client.post(URL, form_data(), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "PostHog did not answer in time, and no key named “Judges” was created in the last few "
        "minutes: you can try again." in content
    )
    assert 'value="Judges"' in content and "<html" not in content
    assert sandbox.received("provider_keys", "GET")  # it looked before saying so
    until_the_late_create_lands(sandbox, "Judges", before=0)


def test_an_old_key_with_the_same_name_is_not_taken_for_the_new_one(
    editor_client, sandbox, settings
):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add("provider_keys", method="POST", latency=1.0, times=1)
    response = editor_client.post(URL, form_data(name="Production OpenAI"))
    assert "no key named “Production OpenAI” was created in the last few minutes" in (
        response.content.decode()
    )
    until_the_late_create_lands(sandbox, "Production OpenAI", before=1)


def test_when_the_portal_cannot_look_it_says_to_check_the_list_first(
    editor_client, sandbox, settings
):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add("provider_keys", method="POST", latency=1.0, times=1)
    sandbox.faults.add("provider_keys", method="GET", status=500)
    content = editor_client.post(URL, form_data()).content.decode()
    assert "the portal could not check whether a key named “Judges” was created" in content
    assert 'href="/sandbox/keys/?q=Judges"' in content
    until_the_late_create_lands(sandbox, "Judges", before=0)


def test_a_create_refused_outright_is_explained_on_the_form(editor_client, sandbox):
    sandbox.faults.add("provider_keys", method="POST", status=503)
    response = editor_client.post(URL, form_data())
    errors = " ".join(response.context["form"].non_field_errors())
    assert "temporarily unavailable" in errors
    assert "unanswered" not in response.context
    assert sandbox.received("provider_keys", "GET") == []  # nothing to look for


def test_azure_needs_an_endpoint_before_anything_is_sent(editor_client, sandbox):
    response = editor_client.post(URL, form_data(provider="azure_openai", api_key="azure-key-1"))
    errors = response.context["form"].errors["azure_endpoint"]
    assert "Azure endpoint is required for Azure OpenAI." in errors
    assert not posts_to(sandbox, "provider_keys")


def test_azure_fields_are_sent_only_for_azure(editor_client, sandbox):
    editor_client.post(URL, form_data(azure_endpoint="https://x.openai.azure.com"))
    assert "azure_endpoint" not in posts_to(sandbox, "provider_keys")[0]
    editor_client.post(
        URL,
        form_data(
            provider="azure_openai",
            api_key="azure-key-12345678",
            azure_endpoint="https://acme.openai.azure.com",
            api_version="2024-10-21",
        ),
    )
    sent = posts_to(sandbox, "provider_keys")[1]
    assert sent["azure_endpoint"] == "https://acme.openai.azure.com"


def test_the_check_reports_a_valid_key(editor_client):
    response = editor_client.post(CHECK, {"provider": "openai", "api_key": "sk-good-123456"})
    assert b"The provider accepted this key" in response.content


def test_the_check_reports_the_providers_error(editor_client):
    response = editor_client.post(CHECK, {"provider": "openai", "api_key": "sk-ratelimit-1234"})
    assert b"Rate limited, please try again later" in response.content


def test_the_check_puts_an_azure_endpoint_error_under_the_endpoint(editor_client):
    response = editor_client.post(
        CHECK,
        {
            "provider": "azure_openai",
            "api_key": "azure-key-12345678",
            "azure_endpoint": "https://missing.openai.azure.com",
        },
    )
    content = response.content.decode()
    assert (
        '<div id="azure-endpoint-status" aria-live="polite" hx-swap-oob="true">'
        '<p class="field-error">Azure endpoint not found — check the URL</p></div>'
    ) in content


def test_a_fixed_azure_endpoint_clears_its_old_message(editor_client):
    response = editor_client.post(
        CHECK,
        {
            "provider": "azure_openai",
            "api_key": "azure-key-12345678",
            "azure_endpoint": "https://acme.openai.azure.com",
        },
    )
    content = response.content.decode()
    assert '<div id="azure-endpoint-status" aria-live="polite" hx-swap-oob="true"></div>' in content
    assert "The provider accepted this key" in content


def test_the_check_refuses_a_key_with_the_wrong_prefix_as_saving_would(editor_client, sandbox):
    response = editor_client.post(CHECK, {"provider": "openai", "api_key": "badprefix-12345678"})
    assert (
        "Key should start with &#x27;sk-&#x27; or &#x27;sk-proj-&#x27;" in response.content.decode()
    )
    assert not posts_to(sandbox, "provider_key_validations")


def test_the_check_says_when_posthog_cannot_be_asked(editor_client, sandbox):
    sandbox.faults.add("provider_key_validations", status=503)
    response = editor_client.post(CHECK, {"provider": "openai", "api_key": "sk-good-123456"})
    assert b"Could not check the key" in response.content
