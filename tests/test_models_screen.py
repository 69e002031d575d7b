"""The models screen: per provider, or live for one key; both response shapes."""

from __future__ import annotations

from adminui.sandbox import demo
from tests.conftest import HTMX

URL = "/sandbox/models/"


def test_it_lists_every_provider_with_its_summary(viewer_client):
    response = viewer_client.get(URL)
    catalog = response.context["loaded"]["catalog"].value
    assert catalog.providers and catalog.models
    assert b"Needs your own key" in response.content


def test_a_key_lists_the_models_it_reaches(viewer_client):
    response = viewer_client.get(URL, {"key": demo.KEY_CLAUDE}, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="model-results"')
    assert "claude" in content


def test_the_older_models_shape_is_shown_too(viewer_client, sandbox):
    sandbox.switch(legacy_models_shape=True)
    response = viewer_client.get(URL, {"provider": "openai"})
    assert response.status_code == 200
    assert response.context["loaded"]["catalog"].value.models
    assert b"Available without a key" in response.content


def test_a_provider_error_shows_in_the_results_not_as_a_crash(viewer_client, sandbox):
    sandbox.faults.add("llm_analytics/models", status=500)
    response = viewer_client.get(URL, {"provider": "openai"})
    assert response.status_code == 200
    assert b"panel-error" in response.content


def test_an_older_posthog_that_needs_a_provider_asks_for_one(viewer_client, sandbox):
    sandbox.switch(legacy_models_shape=True)
    content = viewer_client.get(URL).content.decode()
    assert "lists models one provider at a time" in content


def test_a_chosen_key_wins_over_a_mismatching_provider(viewer_client):
    response = viewer_client.get(URL, {"provider": "openai", "key": demo.KEY_CLAUDE})
    assert response.context["loaded"]["catalog"].ok


def test_models_of_providers_that_need_no_key_say_they_are_available_without_one(viewer_client):
    catalog = viewer_client.get(URL).context["loaded"]["catalog"].value
    keyless = {p.provider for p in catalog.providers if p.requires_provider_key is False}
    assert keyless, "the sandbox has providers that need no key of the team's own"
    for model, available in catalog.rows():
        assert available is (model.provider in keyless), model


def test_an_invalid_key_says_it_is_invalid_with_posthogs_message(viewer_client, sandbox):
    key = sandbox.state.provider_keys[demo.KEY_OLD_ANTHROPIC]
    content = viewer_client.get(URL, {"key": demo.KEY_OLD_ANTHROPIC}).content.decode()
    assert f"The key “{key.name}” is not valid (state: Invalid)" in content
    assert key.error_message and key.error_message in content
