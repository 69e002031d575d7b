"""The sandbox's provider keys follow PostHog's newest serializer: endpoints of their own (the
OpenAI-compatible base URL, System One's), the update rules, masking, and the refusals PostHog
answers to an API key whose owner may not do something."""

from __future__ import annotations

import pytest
import requests

from adminui.sandbox import demo
from tests.conftest import sandbox_api

KEYS = "llm_analytics/provider_keys/"
CHECKS = "llm_analytics/provider_key_validations/"
BASE_URL = "https://api.example.com/v1"
FORBIDDEN = {"type": "authentication_error", "code": "permission_denied", "attr": None}


@pytest.fixture(autouse=True)
def quick_validation(sandbox):
    sandbox.switch(validation_delay=0.01)


def create(sandbox, **fields) -> requests.Response:
    body = {"provider": "openai", "name": "New key", "api_key": "sk-test-key-12345"} | fields
    return sandbox_api(sandbox, "POST", KEYS, json=body)


def compatible(sandbox, **fields) -> requests.Response:
    return create(sandbox, provider="openai_compatible", api_key="local-key-0123456789", **fields)


def error(detail: str, attr: str | None) -> dict:
    return {"type": "validation_error", "code": "invalid_input", "detail": detail, "attr": attr}


def patch(sandbox, key_id: str, **fields) -> requests.Response:
    return sandbox_api(sandbox, "PATCH", f"{KEYS}{key_id}/", json=fields)


# --- OpenAI-compatible keys ------------------------------------------------------------------


def test_an_openai_compatible_key_needs_its_base_url(sandbox):
    response = compatible(sandbox)

    assert response.status_code == 400
    assert response.json() == error(
        "Base URL is required for OpenAI-compatible providers.", "base_url"
    )


@pytest.mark.parametrize(
    "base_url", ["http://api.example.com/v1", "https://localhost/v1", "https://10.0.0.7/v1"]
)
def test_a_base_url_must_be_public_https(sandbox, base_url):
    response = compatible(sandbox, base_url=base_url)

    assert response.json() == error(
        "Base URL must be a public https:// URL (e.g. https://api.example.com/v1).", "base_url"
    )


def test_the_base_url_is_stored_and_shown_read_only(sandbox):
    key = compatible(sandbox, base_url=BASE_URL).json()

    assert key["state"] == "ok"
    assert key["base_url_display"] == BASE_URL
    assert "base_url" not in key
    assert sandbox.state.provider_keys[key["id"]].base_url == BASE_URL


@pytest.mark.parametrize(
    ("host", "detail"),
    [
        ("missing.example.com", "The endpoint did not return a model list, check the base URL"),
        ("unreachable.example.com", "Could not connect to the endpoint"),
    ],
)
def test_the_endpoints_answer_lands_on_the_base_url(sandbox, host, detail):
    response = compatible(sandbox, base_url=f"https://{host}/v1")

    assert response.json() == error(detail, "base_url")


def test_provider_key_validations_names_the_field_to_blame(sandbox):
    def check(api_key: str, base_url: str) -> dict:
        body = {"provider": "openai_compatible", "api_key": api_key, "base_url": base_url}
        return sandbox_api(sandbox, "POST", CHECKS, json=body).json()

    assert check("local-key", "https://missing.example.com/v1")["error_field"] == "base_url"
    assert check("invalid-key", BASE_URL)["error_field"] == "api_key"
    assert check("ratelimit-key", BASE_URL)["error_field"] is None
    assert check("local-key", BASE_URL) == {
        "state": "ok",
        "error_message": None,
        "error_field": None,
    }


def test_a_new_base_url_resets_the_key_to_unknown(sandbox):
    key = patch(sandbox, demo.KEY_SELF_HOSTED, base_url="https://llm2.example.com/v1").json()

    assert (key["state"], key["base_url_display"]) == ("unknown", "https://llm2.example.com/v1")


def test_other_providers_drop_a_stray_base_url(sandbox):
    key = create(sandbox, base_url=BASE_URL).json()

    assert key["base_url_display"] is None
    assert sandbox.state.provider_keys[key["id"]].base_url is None


# --- System One (TypeSafe) -------------------------------------------------------------------


def test_a_system_one_key_defaults_to_typesafes_endpoint_and_model(sandbox):
    key = create(sandbox, provider="typesafe", api_key="ts-live-key-0123456789").json()

    assert key["base_url_display"] == "https://api.typesafe.ai/v1"
    assert key["system_one_model_display"] == "jev-1.13.0"


def test_a_system_one_endpoint_of_your_own_may_take_no_credential(sandbox):
    own = create(sandbox, provider="typesafe", api_key="", base_url="https://s1.example.com/v1/")
    hosted = create(sandbox, provider="typesafe", api_key="")

    assert own.status_code == 201
    assert own.json()["base_url_display"] == "https://s1.example.com/v1"
    assert hosted.json() == error("A TypeSafe API key is required.", "api_key")


def test_a_system_one_key_cannot_be_set_as_active(sandbox):
    response = create(sandbox, provider="typesafe", api_key="ts-key-0123456789", set_as_active=True)

    assert response.json() == error(
        "Select the TypeSafe key on an evaluation instead.", "set_as_active"
    )


def test_a_new_system_one_endpoint_needs_its_credential(sandbox):
    response = patch(sandbox, demo.KEY_SYSTEM_ONE, base_url="https://s1.example.com/v1")

    assert response.json() == error(
        "Enter the credential for the new endpoint, or an empty value for no authentication.",
        "api_key",
    )


def test_a_new_system_one_model_is_checked_at_once(sandbox):
    key = patch(sandbox, demo.KEY_SYSTEM_ONE, system_one_model="jev-latest").json()

    assert (key["state"], key["system_one_model_display"]) == ("ok", "jev-latest")


# --- Update rules ----------------------------------------------------------------------------


def test_a_keys_provider_cannot_change(sandbox):
    response = patch(sandbox, demo.KEY_CLAUDE, provider="openai")

    assert response.json() == error(
        "A key's provider cannot change. Create a new key instead.", "provider"
    )
    assert sandbox.state.provider_keys[demo.KEY_CLAUDE].provider == "anthropic"


def test_a_blank_api_key_is_refused(sandbox):
    response = patch(sandbox, demo.KEY_CLAUDE, api_key="")

    assert response.json() == error("An API key is required.", "api_key")


def test_older_posthog_changed_the_provider_and_refused_a_blank_key_as_drf_does(sandbox):
    sandbox.switch(legacy_key_updates=True)

    moved = patch(sandbox, demo.KEY_CLAUDE, provider="openai")
    blank = patch(sandbox, demo.KEY_CLAUDE, api_key="")

    assert moved.json()["provider"] == "openai"
    assert blank.json() == {
        "type": "validation_error",
        "code": "blank",
        "detail": "This field may not be blank.",
        "attr": "api_key",
    }


@pytest.mark.parametrize(
    ("api_key", "masked"),
    [("sk-fifteen-char", "********"), ("sk-sixteen-chars", "sk-s...hars")],
)
def test_keys_are_masked_as_posthogs_mask_key_value_does(sandbox, api_key, masked):
    assert create(sandbox, api_key=api_key).json()["api_key_masked"] == masked


# --- Refusals --------------------------------------------------------------------------------


def test_by_default_an_api_key_with_the_scopes_may_validate_and_list_dependents(sandbox):
    assert sandbox_api(sandbox, "POST", f"{KEYS}{demo.KEY_CLAUDE}/validate/").status_code == 200
    dependents = sandbox_api(sandbox, "GET", f"{KEYS}{demo.KEY_CLAUDE}/dependent_configs/")
    assert dependents.status_code == 200


def test_posthog_can_refuse_its_custom_actions_to_personal_api_keys(sandbox):
    sandbox.switch(provider_key_refusal="personal_key")
    detail = "This action does not support Personal API Key access"

    for method, action in (("POST", "validate"), ("GET", "dependent_configs")):
        response = sandbox_api(sandbox, method, f"{KEYS}{demo.KEY_CLAUDE}/{action}/")
        assert (response.status_code, response.json()) == (403, FORBIDDEN | {"detail": detail})
    assert sandbox_api(sandbox, "GET", f"{KEYS}{demo.KEY_CLAUDE}/").status_code == 200


def test_a_key_of_someone_who_is_not_a_project_admin_may_read_but_not_write(sandbox):
    sandbox.switch(provider_key_refusal="project_admin")
    detail = "You don't have sufficient permissions in the project."

    writes = [
        sandbox_api(sandbox, "POST", f"{KEYS}{demo.KEY_CLAUDE}/validate/"),
        patch(sandbox, demo.KEY_CLAUDE, name="Renamed"),
        create(sandbox),
        sandbox_api(sandbox, "POST", CHECKS, json={"provider": "openai", "api_key": "sk-x"}),
    ]

    assert {(r.status_code, r.json()["detail"]) for r in writes} == {(403, detail)}
    dependents = sandbox_api(sandbox, "GET", f"{KEYS}{demo.KEY_CLAUDE}/dependent_configs/")
    assert dependents.status_code == 200
    assert sandbox.state.provider_keys[demo.KEY_CLAUDE].name == "Claude judges"


def test_a_key_of_someone_who_may_not_edit_evaluations_cannot_change_them(sandbox):
    sandbox.switch(provider_key_refusal="evaluation_editor")

    active = create(sandbox, set_as_active=True)
    deleted = sandbox_api(sandbox, "DELETE", f"{KEYS}{demo.ACTIVE_KEY_ID}/")
    in_use = sandbox_api(sandbox, "DELETE", f"{KEYS}{demo.KEY_CLAUDE}/")

    assert active.json()["detail"] == "You do not have editor access to evaluations."
    assert deleted.json()["detail"] == "You do not have editor access to evaluations."
    assert in_use.json()["detail"] == "You do not have editor access to all affected evaluations."
    assert sandbox_api(sandbox, "POST", f"{KEYS}{demo.KEY_CLAUDE}/validate/").status_code == 200
