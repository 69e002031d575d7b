"""Adding a key: pre-validation, PostHog's errors on the right field, nothing typed is lost."""

from __future__ import annotations

import json
import logging

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


def test_a_timeout_keeps_the_form_and_says_what_happened(editor_client, sandbox, settings):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add("provider_keys", method="POST", latency=1.0)
    response = editor_client.post(URL, form_data())
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "did not answer" in errors or "timed out" in errors.lower()
    assert 'value="Judges"' in response.content.decode()


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
