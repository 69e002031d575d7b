"""Keys with an endpoint of their own: an OpenAI-compatible key needs its base URL, a System One
key may name its endpoint and model. Each is sent on create, check and edit, PostHog's messages
land on the field they concern, and the key's page shows what PostHog stored."""

from __future__ import annotations

import json

from adminui.sandbox import demo

ADD = "/sandbox/keys/add/"
CHECK = "/sandbox/keys/check/"
BASE_URL = "https://api.example.com/v1"
SELF_HOSTED = f"/sandbox/keys/{demo.KEY_SELF_HOSTED}/"
SYSTEM_ONE = f"/sandbox/keys/{demo.KEY_SYSTEM_ONE}/"


def compatible(**changes) -> dict:
    fields = {"provider": "openai_compatible", "name": "vLLM", "api_key": "local-key-0123456789"}
    return fields | changes


def sent(sandbox, path_part: str, method: str = "POST") -> list[dict]:
    return [call.json() for call in sandbox.received(path_part, method)]


# --- OpenAI-compatible -----------------------------------------------------------------------


def test_the_add_form_offers_a_base_url_shown_only_for_the_providers_that_take_one(editor_client):
    content = editor_client.get(ADD).content.decode()

    assert '<div class="field only-openai_compatible only-typesafe" id="field-base_url">' in content
    assert 'id="field-azure_endpoint"' in content and "only-azure_openai" in content
    assert '<div id="base-url-status" aria-live="polite"></div>' in content


def test_an_openai_compatible_key_is_created_with_its_base_url(editor_client, sandbox):
    response = editor_client.post(ADD, compatible(base_url=BASE_URL), follow=True)

    assert response.status_code == 200
    assert sent(sandbox, "provider_keys")[0]["base_url"] == BASE_URL
    assert f'<dd class="mono">{BASE_URL}</dd>' in response.content.decode()


def test_the_base_url_is_asked_for_before_anything_is_sent(editor_client, sandbox):
    missing = editor_client.post(ADD, compatible())
    plain_http = editor_client.post(ADD, compatible(base_url="http://api.example.com/v1"))

    assert missing.context["form"].errors["base_url"] == [
        "Base URL is required for OpenAI-compatible providers."
    ]
    assert plain_http.context["form"].errors["base_url"] == [
        "Base URL must be a public https:// URL (e.g. https://api.example.com/v1)."
    ]
    assert not sent(sandbox, "provider_keys")


def test_posthogs_verdict_on_the_endpoint_lands_on_the_base_url(editor_client):
    private = editor_client.post(ADD, compatible(base_url="https://10.1.2.3/v1"))
    no_models = editor_client.post(ADD, compatible(base_url="https://missing.example.com/v1"))

    assert private.context["form"].errors["base_url"] == [
        "Base URL must be a public https:// URL (e.g. https://api.example.com/v1)."
    ]
    form = no_models.context["form"]
    assert form.errors["base_url"] == [
        "The endpoint did not return a model list, check the base URL"
    ]
    assert form["name"].value() == "vLLM"


def test_the_check_sends_the_base_url_and_says_what_is_wrong_where(editor_client, sandbox):
    response = editor_client.post(CHECK, compatible(base_url="https://unreachable.example.com/v1"))
    content = response.content.decode()

    assert sent(sandbox, "provider_key_validations")[0]["base_url"] == (
        "https://unreachable.example.com/v1"
    )
    assert "Check the base URL." in content
    assert (
        '<div id="base-url-status" aria-live="polite" hx-swap-oob="true">'
        '<p class="field-error">Could not connect to the endpoint</p></div>'
    ) in content


def test_a_rejected_key_at_a_good_endpoint_is_blamed_on_the_key(editor_client):
    response = editor_client.post(CHECK, compatible(api_key="invalid-key-1", base_url=BASE_URL))
    content = response.content.decode()

    assert '<p class="field-error">Invalid API key</p>' in content
    assert '<div id="base-url-status" aria-live="polite" hx-swap-oob="true"></div>' in content


def test_the_key_page_shows_the_base_url_posthog_stored(viewer_client):
    content = viewer_client.get(SELF_HOSTED).content.decode()

    assert f'<dt>Base URL</dt><dd class="mono">{demo.SELF_HOSTED_BASE_URL}</dd>' in content


def test_editing_offers_the_base_url_and_sends_only_a_changed_one(editor_client, sandbox):
    form = editor_client.get(f"{SELF_HOSTED}edit/").content.decode()
    assert f'value="{demo.SELF_HOSTED_BASE_URL}"' in form
    assert 'name="provider" value="openai_compatible"' in form  # for the check, not a choice
    assert "<select" not in form

    editor_client.post(f"{SELF_HOSTED}edit/", {"name": "Self-hosted vLLM", "api_key": ""})
    editor_client.post(
        f"{SELF_HOSTED}edit/",
        {"name": "Self-hosted vLLM", "api_key": "", "base_url": "https://llm2.example.com/v1"},
    )

    assert sent(sandbox, "", "PATCH") == [{"base_url": "https://llm2.example.com/v1"}]
    assert sandbox.state.provider_keys[demo.KEY_SELF_HOSTED].state == "unknown"


# --- System One ------------------------------------------------------------------------------


def test_a_system_one_key_without_a_credential_is_created_only_when_asked(editor_client, sandbox):
    fields = {"provider": "typesafe", "name": "Own S1", "api_key": ""}
    own = {"base_url": "https://s1.example.com/v1"}

    forgotten = editor_client.post(ADD, fields | own)
    created = editor_client.post(ADD, fields | own | {"without_credential": "on"})

    assert forgotten.context["form"].errors["api_key"] == ["This field is required."]
    assert created.status_code == 302
    (body,) = sent(sandbox, "provider_keys")
    assert (body["api_key"], body["base_url"]) == ("", own["base_url"])


def test_a_system_one_key_is_never_sent_as_active(editor_client, sandbox):
    fields = {"provider": "typesafe", "name": "S1", "api_key": "ts-key-0123456789abc"}

    editor_client.post(ADD, fields | {"set_as_active": "on"})

    assert sent(sandbox, "provider_keys")[0]["set_as_active"] is False


def test_a_system_one_check_waits_for_saving(editor_client, sandbox):
    response = editor_client.post(CHECK, {"provider": "typesafe", "api_key": "ts-key-1"})

    assert "PostHog checks a System One (Jev) connection when you save it." in (
        response.content.decode()
    )
    assert not sent(sandbox, "provider_key_validations")


def test_a_system_one_key_shows_its_endpoint_and_model_and_cannot_be_made_active(viewer_client):
    content = viewer_client.get(SYSTEM_ONE).content.decode()

    assert '<dt>Base URL</dt><dd class="mono">https://api.typesafe.ai/v1</dd>' in content
    assert '<dt>Model ID</dt><dd class="mono">jev-1.13.0</dd>' in content


def test_a_new_system_one_endpoint_asks_for_its_credential_first(editor_client, sandbox):
    url = f"{SYSTEM_ONE}edit/"
    fields = {"name": "System One judges", "base_url": "https://s1.example.com/v1"}

    asked = editor_client.post(url, fields | {"api_key": ""})
    saved = editor_client.post(url, fields | {"api_key": "", "without_credential": "on"})

    assert "Enter the credential for the new endpoint" in asked.context["form"].errors["api_key"][0]
    assert saved.status_code == 302
    assert sent(sandbox, "", "PATCH") == [{"base_url": "https://s1.example.com/v1", "api_key": ""}]


def test_the_key_list_offers_set_as_active_for_other_keys_but_not_system_one(editor_client):
    content = editor_client.get("/sandbox/keys/").content.decode()

    assert f"/sandbox/keys/{demo.KEY_STAGING_OPENAI}/activate/" in content
    assert f"/sandbox/keys/{demo.KEY_SYSTEM_ONE}/activate/" not in content


def test_the_export_says_where_each_key_sends_its_calls(viewer_client):
    rows = json.loads(viewer_client.get("/sandbox/keys/export.json").content)["keys"]
    endpoints = {row["id"]: row["endpoint"] for row in rows}

    assert endpoints[demo.KEY_SELF_HOSTED] == demo.SELF_HOSTED_BASE_URL
    assert endpoints[demo.KEY_AZURE] == "https://acme-eu.openai.azure.com/"
    assert endpoints[demo.KEY_CLAUDE] == ""


def test_against_older_posthog_the_portal_still_sends_neither_provider_nor_a_blank_key(
    editor_client, sandbox
):
    sandbox.switch(legacy_key_updates=True)

    editor_client.post(f"{SELF_HOSTED}edit/", {"name": "vLLM (EU)", "api_key": "", "base_url": ""})

    assert sent(sandbox, "", "PATCH") == []  # an emptied base URL is refused before PostHog
    editor_client.post(
        f"{SELF_HOSTED}edit/",
        {"name": "vLLM (EU)", "api_key": "", "base_url": demo.SELF_HOSTED_BASE_URL},
    )
    assert sent(sandbox, "", "PATCH") == [{"name": "vLLM (EU)"}]
    assert sandbox.state.provider_keys[demo.KEY_SELF_HOSTED].provider == "openai_compatible"
