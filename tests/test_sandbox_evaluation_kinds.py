"""The sandbox's evaluations of every kind PostHog has, their filters, their summaries, and
PATCH evaluations/{id}/ with PostHog's validation (docs/posthog-contract.md §6)."""

from __future__ import annotations

import pytest
import requests

from adminui.sandbox import demo
from tests.conftest import bearer, hog_validation_error, sandbox_api

SUMMARY = "llm_analytics/evaluation_summary/"
NO_RUNS = {"error": "No evaluation runs found for the specified criteria"}


def evaluation_path(evaluation_id: str) -> str:
    return f"evaluations/{evaluation_id}/"


def patch(sandbox, evaluation_id: str, body) -> dict:
    response = sandbox_api(sandbox, "PATCH", evaluation_path(evaluation_id), json=body)
    return {"status": response.status_code, "body": response.json()}


def judge(provider: str, model: str, key_id: str | None) -> dict:
    return {
        "model_configuration": {"provider": provider, "model": model, "provider_key_id": key_id}
    }


# --- Kinds and filters --------------------------------------------------------------------------


def test_the_demo_has_evaluations_of_every_type_output_and_target(sandbox):
    results = sandbox_api(sandbox, "GET", "evaluations/").json()["results"]

    assert {e["evaluation_type"] for e in results} == {"llm_judge", "hog", "sentiment"}
    assert {e["output_type"] for e in results} == {"boolean", "sentiment", "numeric", "categorical"}
    assert {e["target"] for e in results} == {"generation", "trace", "session"}
    hog = next(e for e in results if e["id"] == demo.EVAL_VALID_JSON)
    assert hog["evaluation_config"]["source"] and hog["model_configuration"] is None


def test_it_filters_on_the_evaluation_type(sandbox):
    page = sandbox_api(sandbox, "GET", "evaluations/?evaluation_type=sentiment").json()

    assert [e["name"] for e in page["results"]] == ["User sentiment"]


def test_an_unknown_evaluation_type_is_exceptions_hogs_400_with_attr(sandbox):
    response = sandbox_api(sandbox, "GET", "evaluations/?evaluation_type=vibes")

    assert response.status_code == 400
    assert response.json() == hog_validation_error(
        "Select a valid choice. vibes is not one of the available choices.",
        "evaluation_type",
        "invalid_choice",
    )


def test_the_first_bad_filter_in_the_filtersets_order_is_reported(sandbox):
    response = sandbox_api(sandbox, "GET", "evaluations/?order_by=colour&id__in=nope")

    assert response.json()["attr"] == "id__in"


def test_an_enabled_value_it_does_not_know_filters_nothing(sandbox):
    page = sandbox_api(sandbox, "GET", "evaluations/?enabled=maybe").json()

    assert page["count"] == 12


def test_it_orders_by_several_fields(sandbox):
    refused = sandbox_api(sandbox, "GET", "evaluations/?order_by=-enabled,name")
    page = sandbox_api(sandbox, "GET", "evaluations/?order_by=name,-created_at").json()

    assert refused.json()["attr"] == "order_by"  # `enabled` is not one of PostHog's orderings
    names = [e["name"] for e in page["results"]]
    assert names == sorted(names)


def test_an_unknown_evaluation_is_posthogs_own_404(sandbox):
    response = sandbox_api(sandbox, "GET", evaluation_path("0190aaaa-0000-7000-8000-000000000000"))

    assert response.status_code == 404
    assert response.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Not found.",
        "attr": None,
    }


# --- Summaries of other kinds ------------------------------------------------------------------


@pytest.mark.parametrize("filter_", ["pass", "fail", "na"])
def test_a_sentiment_evaluation_has_no_pass_fail_or_na_runs_to_summarise(sandbox, filter_):
    response = sandbox_api(
        sandbox,
        "POST",
        SUMMARY,
        json={"evaluation_id": demo.EVAL_USER_SENTIMENT, "filter": filter_},
    )

    assert (response.status_code, response.json()) == (400, NO_RUNS)


def test_summarising_all_runs_of_a_sentiment_evaluation_counts_every_run_as_na(sandbox):
    """What PostHog does: its runs carry no pass/fail result, so all of them read as N/A."""
    response = sandbox_api(
        sandbox, "POST", SUMMARY, json={"evaluation_id": demo.EVAL_USER_SENTIMENT}
    )

    statistics = response.json()["statistics"]
    assert statistics["na_count"] == statistics["total_analyzed"] == 200
    assert statistics["pass_count"] == statistics["fail_count"] == 0


def test_a_hog_evaluations_runs_are_summarised_like_a_judges(sandbox):
    response = sandbox_api(
        sandbox, "POST", SUMMARY, json={"evaluation_id": demo.EVAL_VALID_JSON, "filter": "fail"}
    )

    assert response.status_code == 200
    assert response.json()["statistics"]["fail_count"] > 0


# --- PATCH evaluations/{id}/ -------------------------------------------------------------------


def test_an_evaluation_is_paused_and_resumed(sandbox):
    paused = patch(sandbox, demo.EVAL_TONE, {"enabled": False})
    resumed = patch(sandbox, demo.EVAL_TONE, {"enabled": True})

    assert (paused["status"], paused["body"]["enabled"], paused["body"]["status"]) == (
        200,
        False,
        "paused",
    )
    assert (resumed["body"]["enabled"], resumed["body"]["status"]) == (True, "active")


def test_an_evaluation_is_pointed_at_another_key_and_model(sandbox):
    answer = patch(sandbox, demo.EVAL_TONE, judge("openai", "gpt-5-mini", demo.KEY_STAGING_OPENAI))

    assert answer["body"]["model_configuration"] == {
        "provider": "openai",
        "model": "gpt-5-mini",
        "provider_key_id": demo.KEY_STAGING_OPENAI,
        "provider_key_name": "Staging OpenAI",
    }
    dependents = sandbox_api(
        sandbox, "GET", f"llm_analytics/provider_keys/{demo.KEY_CLAUDE}/dependent_configs/"
    )
    assert demo.EVAL_TONE not in [e["id"] for e in dependents.json()["evaluations"]]


def test_a_stopped_evaluation_comes_back_only_with_a_working_key(sandbox):
    sandbox_api(sandbox, "DELETE", f"llm_analytics/provider_keys/{demo.KEY_CLAUDE}/")

    refused = patch(sandbox, demo.EVAL_TONE, {"enabled": True})
    moved = patch(
        sandbox, demo.EVAL_TONE, {"enabled": True} | judge("anthropic", "claude-haiku-4-5", None)
    )
    working = patch(
        sandbox,
        demo.EVAL_TONE,
        {"enabled": True} | judge("openai", "gpt-5-mini", demo.KEY_PRODUCTION_OPENAI),
    )

    needs_key = "Attach a working provider API key before re-enabling this evaluation."
    assert refused["body"] == hog_validation_error(needs_key, "enabled")
    assert moved["body"] == hog_validation_error(needs_key, "enabled")  # no anthropic key left
    assert (working["body"]["status"], working["body"]["status_reason"]) == ("active", None)


def test_re_enabling_on_a_failing_key_is_refused(sandbox):
    answer = patch(sandbox, demo.EVAL_REFUSAL, {"enabled": True})

    assert answer["status"] == 400
    assert answer["body"]["attr"] == "enabled"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"enabled": "sometimes"}, hog_validation_error("Must be a valid boolean.", "enabled")),
        (
            {"model_configuration": {"provider": "openai"}},
            hog_validation_error(
                "This field is required.", "model_configuration__model", "required"
            ),
        ),
        (
            judge("claude", "x", None),
            hog_validation_error(
                '"claude" is not a valid choice.', "model_configuration__provider", "invalid_choice"
            ),
        ),
        (
            judge("openai", " ", None),
            hog_validation_error(
                "This field may not be blank.", "model_configuration__model", "blank"
            ),
        ),
        (
            judge("openai", "m" * 101, None),
            hog_validation_error(
                "Ensure this field has no more than 100 characters.",
                "model_configuration__model",
                "max_length",
            ),
        ),
        (
            judge("openai", "gpt-5", "not-a-uuid"),
            hog_validation_error("Must be a valid UUID.", "model_configuration__provider_key_id"),
        ),
        (
            judge("openai", "gpt-5", "0190aaaa-0000-7000-8000-000000000000"),
            hog_validation_error("Provider key not found", "model_configuration__provider_key_id"),
        ),
    ],
)
def test_a_bad_patch_gets_posthogs_error_on_its_field(sandbox, body, error):
    answer = patch(sandbox, demo.EVAL_TONE, body)

    assert (answer["status"], answer["body"]) == (400, error)


def test_evaluations_that_use_no_model_refuse_a_model_configuration(sandbox):
    answer = patch(sandbox, demo.EVAL_VALID_JSON, judge("openai", "gpt-5", demo.KEY_STAGING_OPENAI))

    assert answer["body"] == hog_validation_error(
        "This evaluation type does not use model configuration.", "model_configuration"
    )


def test_a_key_of_another_provider_is_posthogs_500(sandbox):
    answer = patch(
        sandbox, demo.EVAL_TONE, judge("anthropic", "claude-haiku-4-5", demo.KEY_STAGING_OPENAI)
    )

    assert answer["status"] == 500


def test_updating_needs_the_evaluation_write_scope(sandbox):
    sandbox.add_api_key("phx_readonly", ["evaluation:read"])

    response = requests.patch(
        sandbox.api_url(evaluation_path(demo.EVAL_TONE)),
        json={"enabled": False},
        headers=bearer("phx_readonly"),
        timeout=10,
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'evaluation:write'"
