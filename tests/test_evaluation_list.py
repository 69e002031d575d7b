"""The evaluations list (search, enabled filter, ordering, paging by PostHog) and detail page."""

from __future__ import annotations

import dataclasses
import re
import uuid

from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE, EVAL_REFUSAL
from tests.conftest import HTMX
from tests.summary_helpers import stored_summary

LIST = "/sandbox/evaluations/"


def list_queries(sandbox) -> list[dict]:
    """The query strings of the portal's GET evaluations/ calls to the sandbox."""
    calls = sandbox.received(r"/evaluations/?$", "GET")
    return [{name: values[0] for name, values in call.query.items()} for call in calls]


def names_in(response) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong></a>", response.content.decode())


def add_evaluations(sandbox, count: int) -> None:
    template = sandbox.state.evaluations[EVAL_ANSWER_RELEVANCE]
    for index in range(count):
        copy = dataclasses.replace(template, id=str(uuid.uuid4()), name=f"Extra check {index:02}")
        sandbox.state.evaluations[copy.id] = copy


def test_it_lists_the_projects_evaluations_for_a_viewer(viewer_client):
    response = viewer_client.get(LIST)
    assert response.status_code == 200
    assert b"<html" in response.content
    for name in ["Answer relevance", "No PII in responses", "Refusal appropriateness"]:
        assert name.encode() in response.content
    assert b"LLM judge" in response.content
    assert b"Paused" in response.content
    assert b'aria-current="page" data-shortcut="g e"' in response.content


def test_the_search_is_sent_to_posthog_and_kept_in_the_query_string(viewer_client, sandbox):
    response = viewer_client.get(LIST, {"q": "relevance"})
    assert names_in(response) == ["Answer relevance"]
    assert list_queries(sandbox)[-1]["search"] == "relevance"
    assert b'value="relevance"' in response.content


def test_the_enabled_filter_shows_paused_evaluations(viewer_client, sandbox):
    response = viewer_client.get(LIST, {"enabled": "false"})
    assert sorted(names_in(response)) == ["Refusal appropriateness", "Support topic"]
    assert list_queries(sandbox)[-1]["enabled"] == "false"
    response = viewer_client.get(LIST, {"enabled": "true"})
    assert "Refusal appropriateness" not in names_in(response)
    assert len(names_in(response)) == 10


def test_the_ordering_is_posthogs_order_by(viewer_client, sandbox):
    response = viewer_client.get(LIST, {"o": "name"})
    assert list_queries(sandbox)[-1]["order_by"] == "name"
    assert names_in(response) == sorted(names_in(response))
    response = viewer_client.get(LIST, {"o": "-name"})
    assert list_queries(sandbox)[-1]["order_by"] == "-name"
    assert names_in(response) == sorted(names_in(response), reverse=True)
    viewer_client.get(LIST, {"o": "created"})
    assert list_queries(sandbox)[-1]["order_by"] == "created_at"
    viewer_client.get(LIST, {"o": "bogus"})
    assert list_queries(sandbox)[-1]["order_by"] == "-updated_at"


def test_pages_are_fetched_with_limit_and_offset(viewer_client, sandbox):
    add_evaluations(sandbox, 5)
    first = viewer_client.get(LIST, {"per_page": "10", "o": "name"})
    assert len(names_in(first)) == 10
    assert b"Page 1 of 2" in first.content
    assert b"page=2" in first.content
    second = viewer_client.get(LIST, {"per_page": "10", "o": "name", "page": "2"})
    assert list_queries(sandbox)[-1] == {"order_by": "name", "limit": "10", "offset": "10"}
    assert len(names_in(second)) == 7
    assert b"Page 2 of 2" in second.content
    assert not set(names_in(first)) & set(names_in(second))


def test_htmx_gets_only_the_list_region(viewer_client):
    response = viewer_client.get(LIST, {"q": "tone"}, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.lstrip().startswith(b'<div id="evaluation-region">')
    assert names_in(response) == ["Tone matches brand"]


def test_no_match_offers_to_clear_the_filters(viewer_client):
    response = viewer_client.get(LIST, {"q": "nothing like this"})
    assert b"No evaluations match these filters" in response.content


def test_the_list_shows_each_evaluations_last_summary(viewer_client, editor):
    stored = stored_summary(editor, filter="all")
    response = viewer_client.get(LIST)
    assert f"?summary={stored.pk}#summary".encode() in response.content
    assert b"% pass" in response.content


def test_the_detail_page_shows_description_settings_and_prompt(viewer_client):
    response = viewer_client.get(f"{LIST}{EVAL_ANSWER_RELEVANCE}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Does the assistant answer the question the user actually asked?" in content
    assert "gpt-5-mini" in content
    assert "Production OpenAI" in content
    assert "Return true if the response directly" in content
    assert "100% of generations" in content
    assert f"/project/4242/llm-analytics/evaluations/{EVAL_ANSWER_RELEVANCE}" in content
    assert "No summary yet" in content


def test_a_paused_evaluation_says_so(viewer_client):
    response = viewer_client.get(f"{LIST}{EVAL_REFUSAL}/")
    assert b"Paused" in response.content


def test_an_unknown_evaluation_is_a_404_with_posthogs_message(viewer_client):
    response = viewer_client.get(f"{LIST}{uuid.uuid4()}/")
    assert response.status_code == 404
    assert b"Not allowed" not in response.content


def test_an_account_without_a_role_cannot_read_evaluations(nobody_client):
    assert nobody_client.get(LIST).status_code == 403
    assert nobody_client.get(f"{LIST}{EVAL_ANSWER_RELEVANCE}/").status_code == 403


def test_a_posthog_failure_shows_in_the_page_or_the_region(viewer_client, sandbox, settings):
    settings.POSTHOG_RETRIES = 0
    sandbox.faults.add(r"/evaluations/?$", status=503, body={"detail": "Down for maintenance"})
    page = viewer_client.get(LIST)
    assert page.status_code == 502
    assert b"<html" in page.content and b"Down for maintenance" in page.content
    region = viewer_client.get(LIST, headers=HTMX)
    assert b"<html" not in region.content and b"Down for maintenance" in region.content


def test_the_list_words_a_missing_summary_as_the_detail_page_does(viewer_client):
    response = viewer_client.get(LIST, {"per_page": "25"})
    content = response.content.decode()

    start = content.index("<strong>Answer relevance</strong>")
    row = content[start : content.index("</tr>", start)]
    assert "No summary yet" in row
    assert "None yet" not in content and "No summaries" not in content
