"""Provider keys, their simulated live validation, the evaluation config and the models list."""

from __future__ import annotations

import time

import pytest
import requests

from adminui.sandbox import demo
from tests.conftest import hog_validation_error, sandbox_api

KEYS = "llm_analytics/provider_keys/"
CONFIG = "llm_analytics/evaluation_config/"


@pytest.fixture(autouse=True)
def quick_validation(sandbox):
    sandbox.switch(validation_delay=0.01)


def create(sandbox, **fields) -> requests.Response:
    body = {"provider": "openai", "name": "New key", "api_key": "sk-test-key-12345"} | fields
    return sandbox_api(sandbox, "POST", KEYS, json=body)


def keys_by_id(sandbox) -> dict[str, dict]:
    return {key["id"]: key for key in sandbox_api(sandbox, "GET", KEYS).json()["results"]}


def dependents(sandbox, key_id: str) -> dict:
    return sandbox_api(sandbox, "GET", f"{KEYS}{key_id}/dependent_configs/").json()


# --- Listing and reading ---------------------------------------------------------------------


def test_it_lists_the_demo_keys_newest_first(sandbox):
    page = sandbox_api(sandbox, "GET", KEYS).json()

    created = [key["created_at"] for key in page["results"]]
    assert page["count"] == 10
    assert created == sorted(created, reverse=True)
    assert {key["state"] for key in page["results"]} == {"ok", "invalid", "error", "unknown"}


def test_it_masks_keys_and_never_returns_them(sandbox):
    production = keys_by_id(sandbox)[demo.KEY_PRODUCTION_OPENAI]

    assert production["api_key_masked"] == "sk-p...3GsU"
    assert "api_key" not in production


def test_it_hides_a_short_key_completely(sandbox):
    key = create(sandbox, api_key="sk-short-key").json()

    assert key["api_key_masked"] == "********"


def test_it_shows_the_azure_endpoint_only_for_azure_keys(sandbox):
    keys = keys_by_id(sandbox)

    assert keys[demo.KEY_AZURE]["azure_endpoint_display"] == "https://acme-eu.openai.azure.com/"
    assert keys[demo.KEY_AZURE]["api_version_display"] == "2024-10-21"
    assert keys[demo.KEY_CLAUDE]["azure_endpoint_display"] is None


def test_it_answers_404_for_an_unknown_key(sandbox):
    for key_id in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = sandbox_api(sandbox, "GET", f"{KEYS}{key_id}/")

        assert response.status_code == 404
        assert response.json() == {
            "type": "invalid_request",
            "code": "not_found",
            "detail": "Not found.",
            "attr": None,
        }


# --- Creating --------------------------------------------------------------------------------


def test_it_creates_a_key_that_validated(sandbox):
    response = create(sandbox, name="CI key")

    assert response.status_code == 201
    key = response.json()
    assert (key["name"], key["state"], key["error_message"]) == ("CI key", "ok", None)
    assert key["created_by"]["first_name"] == "Jane"
    assert sandbox_api(sandbox, "GET", f"{KEYS}{key['id']}/").json() == key


def test_it_makes_a_new_key_active_when_asked(sandbox):
    key = create(sandbox, set_as_active=True).json()

    config = sandbox_api(sandbox, "GET", CONFIG).json()

    assert config["active_provider_key"]["id"] == key["id"]


def test_it_gives_azure_keys_the_default_api_version(sandbox):
    key = create(
        sandbox,
        provider="azure_openai",
        api_key="3f9c2a7e5b8d",
        azure_endpoint="https://x.openai.azure.com/",
    ).json()

    assert key["api_version_display"] == "2024-10-21"


AZURE_RULE = "Azure endpoint must be an https:// URL on an Azure domain (e.g. *.openai.azure.com)."
FORMAT = "Invalid {} API key format. Key should start with {}."


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": None}, hog_validation_error("This field may not be null.", "name", "null")),
        ({"name": "  "}, hog_validation_error("This field may not be blank.", "name", "blank")),
        (
            {"name": "x" * 256},
            hog_validation_error(
                "Ensure this field has no more than 255 characters.", "name", "max_length"
            ),
        ),
        (
            {"provider": "mistral"},
            hog_validation_error('"mistral" is not a valid choice.', "provider", "invalid_choice"),
        ),
        (
            {"api_key": "pk-123456789"},
            hog_validation_error(FORMAT.format("OpenAI", "'sk-' or 'sk-proj-'"), "api_key"),
        ),
        (
            {"provider": "anthropic", "api_key": "sk-123456789"},
            hog_validation_error(FORMAT.format("Anthropic", "'sk-ant-'"), "api_key"),
        ),
        (
            {"provider": "zeabur", "api_key": "zb-123456789"},
            hog_validation_error(FORMAT.format("Zeabur AI Hub", "'sk-'"), "api_key"),
        ),
        (
            {"provider": "azure_openai"},
            hog_validation_error("Azure endpoint is required for Azure OpenAI.", "azure_endpoint"),
        ),
        (
            {"provider": "azure_openai", "azure_endpoint": "https://evil.example.com/"},
            hog_validation_error(AZURE_RULE, "azure_endpoint"),
        ),
        (
            {"provider": "azure_openai", "azure_endpoint": "http://x.openai.azure.com/"},
            hog_validation_error(AZURE_RULE, "azure_endpoint"),
        ),
        (
            {"azure_endpoint": "not a url"},
            hog_validation_error("Enter a valid URL.", "azure_endpoint"),
        ),
        (
            {"api_version": "2024-10-21-preview-xy"},
            hog_validation_error(
                "Ensure this field has no more than 20 characters.", "api_version", "max_length"
            ),
        ),
    ],
)
def test_it_rejects_invalid_fields_like_the_serializer(sandbox, fields, error):
    response = create(sandbox, **fields)

    assert response.status_code == 400
    assert response.json() == error


@pytest.mark.parametrize("missing", ["provider", "name"])
def test_it_requires_provider_and_name(sandbox, missing):
    body = {"provider": "openai", "name": "x", "api_key": "sk-test-key-12345"}
    del body[missing]

    response = sandbox_api(sandbox, "POST", KEYS, json=body)

    assert response.json() == hog_validation_error("This field is required.", missing, "required")


def test_it_reports_the_first_field_error_in_serializer_order(sandbox):
    response = sandbox_api(sandbox, "POST", KEYS, json={"provider": "mistral", "api_key": "pk-1"})

    assert response.json()["attr"] == "provider"


def test_it_requires_an_api_key_on_create(sandbox):
    response = sandbox_api(sandbox, "POST", KEYS, json={"provider": "openai", "name": "x"})

    assert response.json() == hog_validation_error(
        "API key is required when creating a new provider key.", "api_key"
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"api_key": "sk-invalid-123456"}, hog_validation_error("Invalid API key", "api_key")),
        (
            {"api_key": "sk-ratelimit-12345"},
            hog_validation_error("Rate limited, please try again later", "api_key"),
        ),
        (
            {"api_key": "sk-UNREACHABLE-123"},
            hog_validation_error("Could not connect to OpenAI", "api_key"),
        ),
        (
            {"provider": "gemini", "api_key": "AIza-unreachable"},
            hog_validation_error("Could not connect to Google Gemini", "api_key"),
        ),
        (
            {
                "provider": "azure_openai",
                "api_key": "0123456789abcdef",
                "azure_endpoint": "https://missing-res.openai.azure.com/",
            },
            hog_validation_error("Azure endpoint not found — check the URL", "azure_endpoint"),
        ),
    ],
)
def test_magic_words_make_live_validation_fail(sandbox, fields, error):
    response = create(sandbox, **fields)

    assert response.status_code == 400
    assert response.json() == error
    assert sandbox_api(sandbox, "GET", KEYS).json()["count"] == 10


def test_live_validation_takes_a_provider_round_trip(sandbox):
    sandbox.switch(validation_delay=0.3)
    started = time.monotonic()

    create(sandbox)

    assert time.monotonic() - started >= 0.3


# --- Updating --------------------------------------------------------------------------------


def test_renaming_a_key_keeps_its_state(sandbox):
    key = sandbox_api(
        sandbox, "PATCH", f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/", json={"name": "Old"}
    ).json()

    assert (key["name"], key["state"], key["error_message"]) == (
        "Old",
        "invalid",
        "Invalid API key",
    )


def test_a_new_api_key_is_validated_and_heals_the_key(sandbox):
    path = f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/"

    rejected = sandbox_api(sandbox, "PATCH", path, json={"api_key": "sk-ant-invalid-999"})
    healed = sandbox_api(sandbox, "PATCH", path, json={"api_key": "sk-ant-fresh-key-999"})

    assert rejected.json() == hog_validation_error("Invalid API key", "api_key")
    assert healed.json()["state"] == "ok"
    assert healed.json()["error_message"] is None
    assert healed.json()["api_key_masked"] == "sk-a...-999"


def test_a_new_azure_endpoint_resets_the_key_to_unknown(sandbox):
    path = f"{KEYS}{demo.KEY_AZURE}/"
    sandbox_api(sandbox, "POST", f"{path}validate/")

    key = sandbox_api(
        sandbox, "PATCH", path, json={"azure_endpoint": "https://acme-us.openai.azure.com/"}
    ).json()

    assert key["state"] == "unknown"
    assert key["azure_endpoint_display"] == "https://acme-us.openai.azure.com/"


def test_put_needs_the_provider(sandbox):
    response = sandbox_api(sandbox, "PUT", f"{KEYS}{demo.KEY_CLAUDE}/", json={"name": "Claude"})

    assert response.json() == hog_validation_error(
        "This field is required.", "provider", "required"
    )


def test_put_replaces_the_name(sandbox):
    body = {"provider": "anthropic", "name": "Claude (prod)"}

    key = sandbox_api(sandbox, "PUT", f"{KEYS}{demo.KEY_CLAUDE}/", json=body).json()

    assert key["name"] == "Claude (prod)"


# --- Validating ------------------------------------------------------------------------------


def test_validate_stores_the_providers_verdict(sandbox):
    response = sandbox_api(sandbox, "POST", f"{KEYS}{demo.KEY_GEMINI}/validate/")

    assert response.status_code == 200
    assert response.json()["state"] == "ok"
    assert keys_by_id(sandbox)[demo.KEY_GEMINI]["state"] == "ok"


def test_validate_reports_a_revoked_key(sandbox):
    response = sandbox_api(sandbox, "POST", f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/validate/")

    assert response.json()["state"] == "invalid"
    assert response.json()["error_message"] == "Invalid API key"


def test_provider_key_validations_checks_without_saving(sandbox):
    path = "llm_analytics/provider_key_validations/"

    ok = sandbox_api(sandbox, "POST", path, json={"api_key": "sk-anything-123"})
    limited = sandbox_api(
        sandbox, "POST", path, json={"provider": "anthropic", "api_key": "sk-ant-ratelimit"}
    )

    assert ok.status_code == 200
    assert ok.json() == {"state": "ok", "error_message": None, "error_field": None}
    assert limited.json() == {
        "state": "error",
        "error_message": "Rate limited, please try again later",
        "error_field": None,
    }
    assert sandbox_api(sandbox, "GET", KEYS).json()["count"] == 10


def test_provider_key_validations_blames_the_azure_endpoint(sandbox):
    body = {
        "provider": "azure_openai",
        "api_key": "0123456789abcdef",
        "azure_endpoint": "https://missing.openai.azure.com/",
    }

    response = sandbox_api(sandbox, "POST", "llm_analytics/provider_key_validations/", json=body)

    assert response.json()["error_field"] == "azure_endpoint"


def test_provider_key_validations_answers_raw_details(sandbox):
    path = "llm_analytics/provider_key_validations/"

    no_key = sandbox_api(sandbox, "POST", path, json={"provider": "openai"})
    bad_provider = sandbox_api(sandbox, "POST", path, json={"provider": "mistral", "api_key": "k"})

    assert no_key.json() == {"detail": "API key is required."}
    assert bad_provider.status_code == 400
    assert bad_provider.json()["detail"].startswith(
        "Invalid provider. Must be one of: openai, anthropic"
    )


# --- Dependents and deleting -----------------------------------------------------------------


def test_dependent_configs_lists_evaluations_and_healthy_alternatives(sandbox):
    body = dependents(sandbox, demo.KEY_PRODUCTION_OPENAI)

    assert {e["id"] for e in body["evaluations"]} == {demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_NO_PII}
    assert all(e["model_configuration_id"] for e in body["evaluations"])
    assert body["alternative_keys"] == [
        {"id": demo.KEY_STAGING_OPENAI, "name": "Staging OpenAI", "provider": "openai"}
    ]


def test_deleting_with_a_replacement_repoints_evaluations_and_the_active_key(sandbox):
    path = f"{KEYS}{demo.KEY_PRODUCTION_OPENAI}/?replacement_key_id={demo.KEY_STAGING_OPENAI}"

    response = sandbox_api(sandbox, "DELETE", path)

    assert response.status_code == 204
    assert response.content == b""
    moved = {e["id"] for e in dependents(sandbox, demo.KEY_STAGING_OPENAI)["evaluations"]}
    assert {demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_NO_PII, demo.EVAL_SQL} == moved
    config = sandbox_api(sandbox, "GET", CONFIG).json()
    assert config["active_provider_key"]["id"] == demo.KEY_STAGING_OPENAI
    evaluation = sandbox_api(sandbox, "GET", f"evaluations/{demo.EVAL_NO_PII}/").json()
    assert evaluation["model_configuration"]["provider_key_name"] == "Staging OpenAI"
    assert evaluation["enabled"] is True


def test_deleting_without_a_replacement_stops_running_evaluations(sandbox):
    sandbox_api(sandbox, "DELETE", f"{KEYS}{demo.KEY_PRODUCTION_OPENAI}/")

    evaluation = sandbox_api(sandbox, "GET", f"evaluations/{demo.EVAL_ANSWER_RELEVANCE}/").json()
    assert (evaluation["enabled"], evaluation["status"]) == (False, "error")
    assert evaluation["status_reason"] == "provider_key_deleted"
    assert evaluation["model_configuration"]["provider_key_id"] is None
    assert sandbox_api(sandbox, "GET", CONFIG).json()["active_provider_key"] is None


def test_deleting_without_a_replacement_leaves_paused_evaluations_paused(sandbox):
    sandbox_api(sandbox, "DELETE", f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/")

    evaluation = sandbox_api(sandbox, "GET", f"evaluations/{demo.EVAL_REFUSAL}/").json()
    assert (evaluation["status"], evaluation["status_reason"]) == ("paused", None)


@pytest.mark.parametrize(
    ("replacement", "detail"),
    [
        ("00000000-0000-4000-8000-000000000000", "Replacement key not found"),
        (demo.KEY_CLAUDE, "Replacement key cannot be the key being deleted"),
        (demo.KEY_PRODUCTION_OPENAI, "Replacement key must be from the same provider"),
    ],
)
def test_deleting_rejects_an_unusable_replacement(sandbox, replacement, detail):
    response = sandbox_api(
        sandbox, "DELETE", f"{KEYS}{demo.KEY_CLAUDE}/?replacement_key_id={replacement}"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert demo.KEY_CLAUDE in keys_by_id(sandbox)


# --- Evaluation config -----------------------------------------------------------------------


def test_evaluation_config_has_the_newest_shape(sandbox):
    config = sandbox_api(sandbox, "GET", CONFIG).json()

    assert set(config) == {"active_provider_key", "created_at", "updated_at"}
    assert config["active_provider_key"]["id"] == demo.ACTIVE_KEY_ID


def test_evaluation_config_carries_trial_fields_in_the_trial_era(sandbox):
    sandbox.switch(trial_era=True)

    config = sandbox_api(sandbox, "GET", CONFIG).json()

    assert (
        config["trial_eval_limit"] == config["trial_evals_used"] + config["trial_evals_remaining"]
    )


def test_set_active_key_switches_the_active_key(sandbox):
    response = sandbox_api(
        sandbox, "POST", f"{CONFIG}set_active_key/", json={"key_id": demo.KEY_CLAUDE}
    )

    assert response.status_code == 200
    assert response.json()["active_provider_key"]["name"] == "Claude judges"


NOT_VALIDATED = "Cannot activate key with state '{}'. Please validate the key first."


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, hog_validation_error("This field is required.", "key_id", "required")),
        ({"key_id": "nope"}, 400, hog_validation_error("Must be a valid UUID.", "key_id")),
        ({"key_id": "00000000-0000-4000-8000-000000000000"}, 404, {"detail": "Key not found."}),
        ({"key_id": demo.KEY_GEMINI}, 400, {"detail": NOT_VALIDATED.format("error")}),
        ({"key_id": demo.KEY_AZURE}, 400, {"detail": NOT_VALIDATED.format("unknown")}),
    ],
)
def test_set_active_key_refuses_what_it_cannot_activate(sandbox, body, status, error):
    response = sandbox_api(sandbox, "POST", f"{CONFIG}set_active_key/", json=body)

    assert response.status_code == status
    assert response.json() == error


# --- Models ----------------------------------------------------------------------------------


def test_models_lists_every_provider_with_a_summary(sandbox):
    body = sandbox_api(sandbox, "GET", "llm_analytics/models/").json()

    summary = {entry["provider"]: entry for entry in body["providers"]}
    assert len(summary) == 11
    assert summary["openai"]["requires_provider_key"] is False
    assert summary["openrouter"] == {
        "provider": "openrouter",
        "model_count": 0,
        "requires_provider_key": True,
    }
    assert {"id": "gpt-5-mini", "provider": "openai"} in body["models"]
    assert sum(entry["model_count"] for entry in body["providers"]) == len(body["models"])


def test_models_lists_what_a_key_can_reach(sandbox):
    body = sandbox_api(sandbox, "GET", f"llm_analytics/models/?key_id={demo.KEY_OPENROUTER}").json()

    assert [entry["provider"] for entry in body["providers"]] == ["openrouter"]
    assert body["providers"][0]["model_count"] == len(body["models"]) > 0


PROVIDERS = (
    "openai, anthropic, gemini, openrouter, fireworks, azure_openai, together_ai, minimax, "
    "zeabur, openai_compatible, typesafe"
)


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        (
            "provider=mistral",
            400,
            f"Invalid provider 'mistral'. Must be one of: {PROVIDERS}. "
            "Omit the provider param to list every supported provider.",
        ),
        (
            "key_id=nope",
            404,
            "No provider key 'nope' in this project. List the team's provider keys first.",
        ),
        (
            f"provider=openai&key_id={demo.KEY_CLAUDE}",
            400,
            f"Key '{demo.KEY_CLAUDE}' belongs to provider 'anthropic', not 'openai'. "
            "Omit the provider param to use the key's own provider.",
        ),
    ],
)
def test_models_answers_raw_details_for_bad_params(sandbox, query, status, detail):
    response = sandbox_api(sandbox, "GET", f"llm_analytics/models/?{query}")

    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_models_answers_the_legacy_shape_when_switched(sandbox):
    sandbox.switch(legacy_models_shape=True)

    missing = sandbox_api(sandbox, "GET", "llm_analytics/models/")
    body = sandbox_api(
        sandbox, "GET", f"llm_analytics/models/?provider=openai&key_id={demo.KEY_STAGING_OPENAI}"
    )
    mismatch = sandbox_api(
        sandbox, "GET", f"llm_analytics/models/?provider=openai&key_id={demo.KEY_CLAUDE}"
    )

    assert missing.json() == {"detail": "provider query param is required"}
    assert set(body.json()) == {"models"}
    available = {model["id"]: model["posthog_available"] for model in body.json()["models"]}
    assert available["gpt-5-mini"] is True
    assert available["o3"] is False
    assert mismatch.json() == {
        "detail": "Key provider 'anthropic' does not match requested provider 'openai'"
    }
