"""Evaluations of every kind on the portal: summaries only where PostHog makes them, the list's
marks for failing or missing keys, its type filter, and PostHog's 400s and 404s said clearly."""

from __future__ import annotations

import pytest

from adminui.models import SummaryRequest
from adminui.sandbox import demo
from tests.conftest import HTMX

LIST = "/sandbox/evaluations/"


def page_of(evaluation_id: str) -> str:
    return f"{LIST}{evaluation_id}/"


def row_of(response, name: str) -> str:
    content = response.content.decode()
    start = content.index(f"<strong>{name}</strong>")
    return content[start : content.index("</tr>", start)]


@pytest.mark.parametrize(
    ("evaluation_id", "why"),
    [
        (demo.EVAL_USER_SENTIMENT, "answers with a sentiment instead of pass or fail"),
        (demo.EVAL_HELPFULNESS_SCORE, "answers with a score instead of pass or fail"),
        (demo.EVAL_SUPPORT_TOPIC, "answers with a category instead of pass or fail"),
        (demo.EVAL_CONVERSATION_RESOLVED, "judges whole traces"),
    ],
)
def test_an_evaluation_posthog_cannot_summarise_explains_why_and_offers_no_summarise(
    editor_client, evaluation_id, why
):
    content = editor_client.get(page_of(evaluation_id)).content.decode()

    assert why in content
    assert "data-summary-unavailable" in content
    assert "Summarise" not in content


@pytest.mark.parametrize("evaluation_id", [demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_VALID_JSON])
def test_boolean_evaluations_of_generations_offer_a_summary(editor_client, evaluation_id):
    content = editor_client.get(page_of(evaluation_id)).content.decode()

    assert "Summarise" in content
    assert "data-summary-unavailable" not in content


def test_asking_for_a_summary_posthog_cannot_make_is_refused_before_posthog(editor_client, sandbox):
    response = editor_client.post(
        f"{page_of(demo.EVAL_USER_SENTIMENT)}summarize/", {"filter": "all"}, follow=True
    )

    assert "answers with a sentiment instead of pass or fail" in response.content.decode()
    assert not SummaryRequest.objects.exists()
    assert not sandbox.received(r"evaluation_summary", "POST")


def test_the_page_shows_the_kind_and_a_hog_evaluations_code(viewer_client):
    content = viewer_client.get(page_of(demo.EVAL_VALID_JSON)).content.decode()

    assert "Hog code" in content and "jsonParse" in content
    assert "call no LLM provider" in content
    assert "Judge model" not in content


def test_the_list_marks_evaluations_whose_key_is_failing_or_missing(viewer_client, sandbox):
    sandbox.state.provider_keys.pop(demo.KEY_OPENROUTER)  # deleted behind the portal's back

    response = viewer_client.get(LIST, {"per_page": "25"})

    assert 'data-key-problem="failing"' in row_of(response, "Helpfulness score")  # Gemini: error
    assert 'data-key-problem="failing"' in row_of(response, "Refusal appropriateness")  # revoked
    assert 'data-key-problem="missing"' in row_of(response, "Hallucination check")
    assert "data-key-problem" not in row_of(response, "Tone matches brand")
    assert "data-key-problem" not in row_of(response, "User sentiment")  # needs no key
    assert "Not offered for this kind" in row_of(response, "User sentiment")


def test_without_an_active_key_judges_with_no_pinned_key_are_marked_missing(viewer_client, sandbox):
    sandbox.state.active_key_id = None

    response = viewer_client.get(LIST, {"per_page": "25"})

    assert 'data-key-problem="missing"' in row_of(response, "Summary faithfulness")


def test_when_keys_cannot_be_read_the_list_still_shows_and_says_so(viewer_client, sandbox):
    sandbox.faults.add(r"provider_keys/?$", method="GET", status=500)

    response = viewer_client.get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Answer relevance" in content
    assert "Keys could not be checked" in content
    assert "data-key-problem" not in content


def test_the_type_filter_goes_to_posthog(viewer_client, sandbox):
    response = viewer_client.get(LIST, {"type": "hog"})

    assert "Valid JSON output" in response.content.decode()
    assert "Answer relevance" not in response.content.decode()
    query = sandbox.received(r"/evaluations/?$", "GET")[-1].query
    assert query["evaluation_type"] == ["hog"]


def test_a_type_posthog_does_not_know_is_its_400_on_the_filters(viewer_client):
    response = viewer_client.get(LIST, {"type": "vibes"}, headers=HTMX)

    assert response.status_code == 400
    content = response.content.decode()
    assert "data-filter-error" in content
    assert "type filter (evaluation_type)" in content
    assert "Select a valid choice. vibes is not one of the available choices." in content


def test_an_unknown_evaluation_says_so_with_posthogs_words(viewer_client):
    response = viewer_client.get(page_of("0190aaaa-0000-7000-8000-000000000000"))

    assert response.status_code == 404
    content = response.content.decode()
    assert (
        "PostHog has no evaluation 0190aaaa-0000-7000-8000-000000000000 in this project" in content
    )
    assert "Not found." in content


def test_an_evaluation_from_an_older_posthog_without_status_or_target_is_a_summarisable_judge(
    editor_client, sandbox
):
    """Older PostHog (products/llm_analytics) sent no status, target or model configuration."""
    older = {
        key: value
        for key, value in sandbox.state.evaluations[demo.EVAL_TONE].to_json({}).items()
        if key
        not in (
            "status",
            "status_reason",
            "status_reason_detail",
            "target",
            "target_config",
            "model_configuration",
        )
    }
    sandbox.faults.add(rf"/evaluations/{demo.EVAL_TONE}/", method="GET", status=200, body=older)

    content = editor_client.get(page_of(demo.EVAL_TONE)).content.decode()

    assert "Summarise" in content
    assert "Each generation" in content
    assert "The project's active key and default model" in content
