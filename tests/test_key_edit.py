"""Editing a key: only what changed is sent (PATCH); a new key is checked like on add."""

from __future__ import annotations

import json

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX

URL = f"/sandbox/keys/{demo.KEY_STAGING_OPENAI}/edit/"


def patches(sandbox) -> list[dict]:
    return [call.json() for call in sandbox.received("", "PATCH")]


def test_the_form_shows_the_masked_key_as_the_placeholder(editor_client):
    content = editor_client.get(URL).content.decode()
    assert "Leave empty to keep the current one (sk-8...E0aU)" in content
    assert 'value="Staging OpenAI"' in content


def test_renaming_sends_only_the_name(editor_client, sandbox):
    response = editor_client.post(URL, {"name": "Staging (EU)", "api_key": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/sandbox/keys/{demo.KEY_STAGING_OPENAI}/"
    assert patches(sandbox) == [{"name": "Staging (EU)"}]
    event = AuditEvent.objects.get()
    assert event.action == "provider_key.update" and event.details == {"name": "Staging (EU)"}


def test_submitting_without_changes_sends_nothing(editor_client, sandbox):
    response = editor_client.post(URL, {"name": "Staging OpenAI"}, follow=True)
    assert b"Nothing changed." in response.content
    assert patches(sandbox) == []


def test_a_new_key_is_sent_checked_and_never_shown(editor_client, sandbox):
    secret = "sk-proj-new-rotated-key-778899"
    response = editor_client.post(URL, {"name": "Staging OpenAI", "api_key": secret}, follow=True)
    assert patches(sandbox) == [{"api_key": secret}]
    assert secret not in response.content.decode()
    assert "sk-p...8899" in response.content.decode()
    assert secret not in json.dumps(AuditEvent.objects.get().details)


def test_a_rejected_new_key_comes_back_on_its_field_with_the_name_kept(editor_client):
    response = editor_client.post(
        URL, {"name": "Renamed", "api_key": "sk-invalid-999999"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.context["form"].errors["api_key"] == ["Invalid API key"]
    assert 'value="Renamed"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_azure_keys_can_change_their_endpoint(editor_client, sandbox):
    url = f"/sandbox/keys/{demo.KEY_AZURE}/edit/"
    assert b"Azure endpoint" in editor_client.get(url).content
    editor_client.post(
        url,
        {
            "name": "Azure EU deployment",
            "azure_endpoint": "https://acme-eu2.openai.azure.com",
            "api_version": "2024-10-21",
        },
    )
    assert patches(sandbox) == [{"azure_endpoint": "https://acme-eu2.openai.azure.com"}]


def test_editing_a_key_that_was_deleted_meanwhile_says_so(editor_client, sandbox):
    del sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI]
    response = editor_client.get(URL)
    assert response.status_code == 404
    assert b"Not found" in response.content or b"could not find" in response.content


KEY_READ = rf"provider_keys/{demo.KEY_STAGING_OPENAI}/$"
OUTAGES = {
    "a server error": {"status": 500},
    "a proxy page": {"status": 502, "non_json": True},
    "a dropped connection": {"drop": True},
    "a timeout": {"latency": 1.0},
    "rate limiting": {"status": 429, "headers": {"Retry-After": "30"}},
}


@pytest.mark.parametrize("outage", OUTAGES, ids=list(OUTAGES))
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["form", "htmx"])
def test_an_edit_submitted_while_the_key_cannot_be_read_comes_back_with_what_was_typed(
    editor_client, sandbox, settings, outage, headers
):
    settings.POSTHOG_RETRIES = 0
    settings.POSTHOG_READ_TIMEOUT = 0.3
    sandbox.faults.add(KEY_READ, method="GET", **OUTAGES[outage])
    secret = "sk-proj-typed-during-an-outage-4455"
    response = editor_client.post(
        URL, {"provider": "openai", "name": "Staging (typed)", "api_key": secret}, headers=headers
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Staging (typed)"' in content
    assert "Nothing was saved: the portal could not read the key from PostHog." in content
    assert secret not in content
    assert patches(sandbox) == []
    assert ("<html" in content) is not bool(headers)


def test_an_azure_edit_keeps_its_endpoint_when_the_key_cannot_be_read(editor_client, sandbox):
    sandbox.faults.add(rf"provider_keys/{demo.KEY_AZURE}/$", method="GET", status=500)
    endpoint = "https://acme-typed.openai.azure.com"
    response = editor_client.post(
        f"/sandbox/keys/{demo.KEY_AZURE}/edit/",
        {"provider": "azure_openai", "name": "Azure EU", "azure_endpoint": endpoint},
    )
    content = response.content.decode()
    assert f'value="{endpoint}"' in content and 'value="Azure EU"' in content


@pytest.mark.parametrize("base_url", ["", "not a url", "http://api.example.com/v1"])
def test_a_bad_base_url_is_worded_the_same_adding_and_editing(editor_client, sandbox, base_url):
    added = editor_client.post(
        "/sandbox/keys/add/",
        {
            "provider": "openai_compatible",
            "name": "Self-hosted",
            "api_key": "sk-typed-secret-value-9f8e7d6c5b4a",
            "base_url": base_url,
        },
    )
    edited = editor_client.post(
        f"/sandbox/keys/{demo.KEY_SELF_HOSTED}/edit/",
        {"name": "Self-hosted vLLM", "api_key": "", "base_url": base_url},
    )

    adding = added.context["form"].errors["base_url"]
    assert len(adding) == 1
    assert edited.context["form"].errors["base_url"] == adding
    assert adding[0].startswith("Base URL ")
    assert not sandbox.received(r"provider_keys/", "POST")
    assert not sandbox.received(r"provider_keys/", "PATCH")
