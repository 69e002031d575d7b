"""Evaluations, and summaries computed from the sandbox's own evaluation runs."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from adminui.sandbox import demo
from tests.conftest import AUTH, hog_validation_error, sandbox_api

SUMMARY = "llm_analytics/evaluation_summary/"
NOT_A_LIST = 'Expected a list of items but got type "str".'
BUSY = (
    "An evaluation summary is already being generated for this project. Try again when it finishes."
)


def summarize(sandbox, **body) -> requests.Response:
    return sandbox_api(sandbox, "POST", SUMMARY, json={"evaluation_id": demo.EVAL_TONE} | body)


def names(page: dict) -> list[str]:
    return [evaluation["name"] for evaluation in page["results"]]


def runs_of(sandbox, evaluation_id: str) -> dict[str, str]:
    """generation id -> outcome (pass, fail or na), newest first."""
    runs = sandbox.state.evaluations[evaluation_id].runs
    return {run.generation_id: run.outcome for run in runs}


# --- Evaluations -----------------------------------------------------------------------------


def test_it_lists_the_demo_evaluations_newest_first(sandbox):
    page = sandbox_api(sandbox, "GET", "evaluations/").json()

    created = [evaluation["created_at"] for evaluation in page["results"]]
    assert page["count"] == 12
    assert created == sorted(created, reverse=True)
    first = page["results"][0]
    assert first["evaluation_type"] == "llm_judge"
    assert first["output_type"] == "boolean"
    assert first["evaluation_config"]["prompt"]
    assert first["created_by"]["email"].endswith("@acme.com")


def test_it_searches_names_and_descriptions(sandbox):
    by_name = sandbox_api(sandbox, "GET", "evaluations/?search=hallucination").json()
    by_description = sandbox_api(sandbox, "GET", "evaluations/?search=BRAND").json()

    assert names(by_name) == ["Hallucination check"]
    assert "Tone matches brand" in names(by_description)


def test_it_filters_on_enabled(sandbox):
    disabled = sandbox_api(sandbox, "GET", "evaluations/?enabled=false").json()
    enabled = sandbox_api(sandbox, "GET", "evaluations/?enabled=true").json()

    assert sorted(names(disabled)) == ["Refusal appropriateness", "Support topic"]
    assert enabled["count"] == 10


def test_it_orders_by_name(sandbox):
    page = sandbox_api(sandbox, "GET", "evaluations/?order_by=-name").json()

    assert names(page) == sorted(names(page), reverse=True)


def test_it_rejects_an_unknown_ordering(sandbox):
    response = sandbox_api(sandbox, "GET", "evaluations/?order_by=colour")

    assert response.status_code == 400
    assert response.json() == hog_validation_error(
        "Select a valid choice. colour is not one of the available choices.",
        "order_by",
        "invalid_choice",
    )


def test_it_filters_on_ids(sandbox):
    ids = f"{demo.EVAL_SQL},{demo.EVAL_NO_PII}"

    page = sandbox_api(sandbox, "GET", f"evaluations/?id__in={ids}").json()
    bad = sandbox_api(sandbox, "GET", "evaluations/?id__in=nope")

    assert sorted(names(page)) == ["No PII in responses", "SQL query correctness"]
    assert bad.json() == hog_validation_error("Enter a valid UUID.", "id__in")


def test_it_pages_evaluations(sandbox):
    page = sandbox_api(sandbox, "GET", "evaluations/?limit=5&offset=10").json()

    assert len(page["results"]) == 2
    assert page["next"] is None
    assert page["previous"] == sandbox.api_url("evaluations/") + "?limit=5&offset=5"


def test_it_retrieves_one_evaluation_with_its_model(sandbox):
    evaluation = sandbox_api(sandbox, "GET", f"evaluations/{demo.EVAL_TONE}/").json()

    assert evaluation["name"] == "Tone matches brand"
    assert evaluation["model_configuration"] == {
        "provider": "anthropic",
        "model": "claude-haiku-4-5",
        "provider_key_id": demo.KEY_CLAUDE,
        "provider_key_name": "Claude judges",
    }


def test_it_answers_404_for_an_unknown_evaluation(sandbox):
    response = sandbox_api(sandbox, "GET", f"evaluations/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Summary ---------------------------------------------------------------------------------


def test_summary_statistics_add_up_over_at_most_250_runs(sandbox):
    body = summarize(sandbox, evaluation_id=demo.EVAL_ANSWER_RELEVANCE).json()

    stats = body["statistics"]
    assert len(sandbox.state.evaluations[demo.EVAL_ANSWER_RELEVANCE].runs) > 250
    assert stats["total_analyzed"] == 250
    assert stats["pass_count"] + stats["fail_count"] + stats["na_count"] == 250
    assert min(stats["pass_count"], stats["fail_count"], stats["na_count"]) > 0


def test_summary_patterns_cite_real_runs_of_the_right_outcome(sandbox):
    body = summarize(sandbox).json()
    outcomes = runs_of(sandbox, demo.EVAL_TONE)

    for outcome in ("pass", "fail", "na"):
        patterns = body[f"{outcome}_patterns"]
        assert patterns, outcome
        for pattern in patterns:
            assert pattern["frequency"] in ("common", "occasional", "rare")
            assert pattern["title"] and pattern["description"] and pattern["example_reasoning"]
            assert {outcomes[gid] for gid in pattern["example_generation_ids"]} == {outcome}
    assert body["overall_assessment"].startswith("Across the 120 most recent runs")
    assert body["recommendations"]


def test_summary_can_look_at_failures_only(sandbox):
    body = summarize(sandbox, filter="fail").json()

    assert body["statistics"]["fail_count"] == body["statistics"]["total_analyzed"]
    assert body["pass_patterns"] == body["na_patterns"] == []


def test_summary_can_look_at_chosen_generations(sandbox):
    chosen = list(runs_of(sandbox, demo.EVAL_TONE))[:5]

    body = summarize(sandbox, generation_ids=chosen).json()

    assert body["statistics"]["total_analyzed"] == 5
    cited = {
        gid
        for key in ("pass", "fail", "na")
        for p in body[f"{key}_patterns"]
        for gid in p["example_generation_ids"]
    }
    assert cited <= set(chosen)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"evaluation_id": None}, {"evaluation_id": ["This field may not be null."]}),
        ({"evaluation_id": "nope"}, {"evaluation_id": ["Must be a valid UUID."]}),
        ({"filter": "maybe"}, {"filter": ['"maybe" is not a valid choice.']}),
        ({"generation_ids": "abc"}, {"generation_ids": [NOT_A_LIST]}),
        (
            {"generation_ids": [str(uuid.uuid4()), "x"]},
            {"generation_ids": {"1": ["Must be a valid UUID."]}},
        ),
        ({"force_refresh": "sometimes"}, {"force_refresh": ["Must be a valid boolean."]}),
    ],
)
def test_summary_answers_raw_serializer_errors(sandbox, body, errors):
    response = summarize(sandbox, **body)

    assert response.status_code == 400
    assert response.json() == errors


def test_summary_requires_an_evaluation_id(sandbox):
    response = sandbox_api(sandbox, "POST", SUMMARY, json={"filter": "bogus"})

    assert response.json() == {
        "evaluation_id": ["This field is required."],
        "filter": ['"bogus" is not a valid choice.'],
    }


def test_summary_accepts_at_most_250_generation_ids(sandbox):
    response = summarize(sandbox, generation_ids=[str(uuid.uuid4()) for _ in range(251)])

    assert response.status_code == 400
    assert response.json() == {
        "generation_ids": ["Ensure this field has no more than 250 elements."]
    }


def test_summary_answers_404_with_an_error_body_for_an_unknown_evaluation(sandbox):
    unknown = str(uuid.uuid4())

    response = summarize(sandbox, evaluation_id=unknown)

    assert response.status_code == 404
    assert response.json() == {"error": f"Evaluation {unknown} not found"}


def test_summary_answers_400_when_no_runs_match(sandbox):
    response = summarize(sandbox, generation_ids=[str(uuid.uuid4())])

    assert response.status_code == 400
    assert response.json() == {"error": "No evaluation runs found for the specified criteria"}


def test_summary_needs_ai_data_processing_approval(sandbox):
    sandbox.switch(ai_data_processing_approved=False)

    response = summarize(sandbox)

    assert response.status_code == 403
    assert response.json() == {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": (
            "AI data processing must be approved by your organization before using summarization"
        ),
        "attr": None,
    }


def test_summary_is_cached_until_a_forced_refresh(sandbox):
    sandbox.switch(summary_delay=0.4)

    def timed(**body) -> tuple[float, dict]:
        started = time.monotonic()
        response = summarize(sandbox, **body)
        return time.monotonic() - started, response.json()

    first, first_body = timed()
    cached, cached_body = timed()
    forced, _ = timed(force_refresh=True)

    assert first >= 0.4 and forced >= 0.4
    assert cached < 0.3
    assert cached_body == first_body


def test_a_second_summary_for_the_project_is_refused_while_one_runs(sandbox):
    sandbox.switch(summary_delay=0.5)
    results: list[requests.Response] = []
    first = threading.Thread(target=lambda: results.append(summarize(sandbox)))
    first.start()
    time.sleep(0.15)

    second = summarize(sandbox, evaluation_id=demo.EVAL_SQL)
    first.join()

    assert results[0].status_code == 200
    assert second.status_code == 429
    assert second.json() == {
        "type": "throttled_error",
        "code": "throttled",
        "detail": BUSY,
        "attr": None,
    }
    assert summarize(sandbox, evaluation_id=demo.EVAL_SQL).status_code == 200


def test_summaries_are_throttled_at_50_a_minute_per_key(sandbox):
    sandbox.add_api_key("phx_summariser", ["llm_analytics:write"])
    other = {"Authorization": "Bearer phx_summariser"}
    session = requests.Session()

    statuses = [
        session.post(sandbox.api_url(SUMMARY), headers=AUTH, json={}).status_code for _ in range(51)
    ]
    throttled = session.post(sandbox.api_url(SUMMARY), headers=AUTH, json={})
    another_key = session.post(sandbox.api_url(SUMMARY), headers=other, json={})

    assert statuses == [400] * 50 + [429]
    body = throttled.json()
    assert body["type"] == "throttled_error"
    assert body["detail"].startswith("Request was throttled. Expected available in ")
    assert body["detail"].endswith(" seconds.")
    assert "Retry-After" not in throttled.headers
    assert another_key.status_code == 400
