"""Stored summaries: the panel and permalink, history, comparison of two, Markdown and JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from adminui.models import SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE, EVAL_TONE
from tests.conftest import HTMX
from tests.summary_helpers import EVALUATION_URL

GENERATION = "0b9e6c5e-2f4d-4a7b-9f0e-1c2d3e4f5a6b"


def pattern(title: str, frequency: str = "common", reasoning: str | None = None) -> dict:
    return {
        "title": title,
        "description": f"{title}, described.",
        "frequency": frequency,
        "example_reasoning": reasoning,
        "example_generation_ids": [GENERATION],
    }


def stored(editor, *, minutes_ago: int, stats: tuple, fail=(), recs=(), **fields) -> SummaryRequest:
    total, passed, failed, na = stats
    finished = timezone.now() - timedelta(minutes=minutes_ago)
    summary_request = SummaryRequest.objects.create(
        requested_by=editor,
        requested_by_name=editor.username,
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        status=SummaryRequest.Status.SUCCEEDED,
        started_at=finished - timedelta(seconds=12),
        finished_at=finished,
        result={
            "overall_assessment": f"{failed} of {total} failed.",
            "pass_patterns": [pattern("Directly answers", reasoning="Clear and on topic.")],
            "fail_patterns": [pattern(title, frequency) for title, frequency in fail],
            "na_patterns": [],
            "recommendations": list(recs),
            "statistics": {
                "total_analyzed": total,
                "pass_count": passed,
                "fail_count": failed,
                "na_count": na,
            },
        },
        **fields,
    )
    SummaryRequest.objects.filter(pk=summary_request.pk).update(created_at=finished)
    summary_request.refresh_from_db()
    return summary_request


def test_the_panel_shows_a_stored_summary_with_numbers_chart_and_patterns(viewer_client, editor):
    summary = stored(
        editor,
        minutes_ago=5,
        stats=(100, 70, 20, 10),
        fail=[("Answers a different question", "occasional")],
        recs=["Restate the user's goal first."],
    )
    page = viewer_client.get(f"{EVALUATION_URL}?summary={summary.pk}").content.decode()
    assert "20 of 100 failed." in page
    assert 'data-stat="pass">70<' in page
    assert 'data-stat="pass-rate">78%<' in page  # 70 of the 90 judged runs
    assert "70 passed + 20 failed + 10 N/A = 100 runs analysed." in page
    assert 'class="chart-bar chart-fail chart-series-0"' in page
    assert 'data-count="20"' in page
    assert "style=" not in page.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "Answers a different question" in page
    assert 'class="tag freq freq-occasional">occasional<' in page
    assert "Clear and on topic." in page
    assert f"/project/4242/llm-analytics/generations?search={GENERATION}" in page
    assert "Restate the user&#x27;s goal first." in page
    assert "took 12.0 s" in page


def test_counts_that_do_not_add_up_are_flagged(viewer_client, editor):
    summary = stored(editor, minutes_ago=1, stats=(100, 70, 20, 5))
    page = viewer_client.get(f"{EVALUATION_URL}?summary={summary.pk}").content.decode()
    assert "PostHog's counts do not add up" in page


def test_the_newest_summary_is_shown_unless_another_is_chosen(viewer_client, editor):
    older = stored(editor, minutes_ago=60, stats=(10, 5, 5, 0))
    newer = stored(editor, minutes_ago=1, stats=(10, 9, 1, 0))
    assert f"Summary #{newer.pk}" in viewer_client.get(EVALUATION_URL).content.decode()
    chosen = viewer_client.get(f"{EVALUATION_URL}?summary={older.pk}").content.decode()
    assert f"Summary #{older.pk}" in chosen


def test_the_history_lists_every_request_with_who_what_and_how_it_went(viewer_client, editor):
    stored(editor, minutes_ago=30, stats=(50, 40, 10, 0), filter="all")
    SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        filter="fail",
        generation_ids=[GENERATION],
        force_refresh=True,
        status=SummaryRequest.Status.FAILED,
        error_kind="throttled",
        error_message="PostHog's limit on summaries was reached.",
    )
    SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_TONE,
        evaluation_name="Tone matches brand",
    )
    page = viewer_client.get(f"{EVALUATION_URL}summaries/").content.decode()
    assert page.count("<tr data-summary=") == 2  # only this evaluation's
    assert "40 · 10 · 0" in page
    assert "12.0 s" in page
    assert "Failing runs · 1 generation" in page
    assert "regenerated" in page
    assert "limit on summaries was reached" in page
    # The detail page holds the same region, which htmx refreshes when summaries change.
    partial = viewer_client.get(f"{EVALUATION_URL}summaries/", headers=HTMX)
    assert partial.content.lstrip().startswith(b'<div id="summary-history"')
    assert b'hx-trigger="summariesChanged from:body"' in partial.content


def test_two_summaries_compare_side_by_side(viewer_client, editor):
    before = stored(
        editor,
        minutes_ago=120,
        stats=(100, 60, 30, 10),
        fail=[("Answers a different question", "common"), ("Buried answer", "occasional")],
        recs=["Restate the goal.", "Lead with the answer."],
    )
    after = stored(
        editor,
        minutes_ago=5,
        stats=(120, 90, 20, 10),
        fail=[("answers a  different question", "occasional"), ("Made-up citations", "rare")],
        recs=["Restate the goal.", "Check citations against sources."],
    )
    url = f"{EVALUATION_URL}summaries/compare/?s={after.pk}&s={before.pk}"
    page = viewer_client.get(url).content.decode()
    # Older is A, whatever the order of the ticks.
    assert f"#{before.pk} · " in page.split('id="side-A"')[1][:200]
    assert ">+20</td>" in page  # analysed 100 -> 120
    assert ">+30</td>" in page  # passed
    assert ">-10</td>" in page  # failed
    assert ">0</td>" in page  # N/A
    assert "66.7%" in page and "81.8%" in page and "+15.1 pts" in page
    appeared = page.split("Appeared in B")[1].split("</ul>")[0]
    assert "Made-up citations" in appeared
    gone = page.split("Gone since A")[1].split("</ul>")[0]
    assert "Buried answer" in gone
    both = page.split("In both")[2].split("</ul>")[0]  # the failing group's
    assert "common → occasional" in both
    assert 'Check citations against sources. <span class="tag tag-warn">new in B</span>' in page
    assert 'Lead with the answer. <span class="tag">only in A</span>' in page
    assert page.count('class="chart-bar ') == 6


def test_comparing_needs_two_succeeded_summaries(viewer_client, editor):
    one = stored(editor, minutes_ago=5, stats=(10, 5, 5, 0))
    page = viewer_client.get(f"{EVALUATION_URL}summaries/compare/?s={one.pk}").content.decode()
    assert "Pick two different summaries that succeeded" in page
    assert "Comparing needs two summaries that succeeded; this evaluation has 1" in page


def test_different_runs_are_flagged_when_comparing(viewer_client, editor):
    a = stored(editor, minutes_ago=9, stats=(10, 5, 5, 0), filter="all")
    b = stored(editor, minutes_ago=2, stats=(5, 0, 5, 0), filter="fail")
    page = viewer_client.get(f"{EVALUATION_URL}summaries/compare/?a={a.pk}&b={b.pk}").content
    assert b"not like for like" in page


def test_a_summary_exports_as_markdown(viewer_client, editor):
    summary = stored(
        editor,
        minutes_ago=3,
        stats=(100, 70, 20, 10),
        fail=[("Answers a different question", "common")],
        recs=["Restate the goal."],
    )
    response = viewer_client.get(f"{EVALUATION_URL}summaries/{summary.pk}/export.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# AI summary: Answer relevance")
    assert "| Failed | 20 | 20% |" in text
    assert "## Failing patterns" in text
    assert "### Answers a different question (common)" in text
    assert f"`{GENERATION}`" in text
    assert "1. Restate the goal." in text
    assert "took 12.0 s" in text


def test_a_summary_exports_as_json(viewer_client, editor):
    summary = stored(editor, minutes_ago=3, stats=(100, 70, 20, 10))
    response = viewer_client.get(f"{EVALUATION_URL}summaries/{summary.pk}/export.json")
    data = json.loads(response.content)
    assert data["evaluation"] == {"id": EVAL_ANSWER_RELEVANCE, "name": "Answer relevance"}
    assert data["request"]["requested_by"] == "eddie"
    assert data["request"]["duration_seconds"] == 12.0
    assert data["summary"]["statistics"]["fail_count"] == 20


def test_the_permalink_page_and_the_polling_answers(viewer_client, editor):
    done = stored(editor, minutes_ago=3, stats=(10, 5, 5, 0))
    url = f"{EVALUATION_URL}summaries/{done.pk}/"
    page = viewer_client.get(url)
    assert page.status_code == 200
    assert b"<html" in page.content and b"AI summary #" in page.content
    assert b"http-equiv" not in page.content
    # A finished summary tells htmx to stop polling (286) and the history to refresh.
    polled = viewer_client.get(url, headers=HTMX | {"HX-Current-URL": "/x/"})
    assert polled.status_code == 286
    assert polled.content.lstrip().startswith(b'<section id="summary-panel"')
    assert b'hx-trigger="every 2s"' not in polled.content
    assert "summariesChanged" in polled["HX-Trigger"]


def test_a_pending_summary_keeps_polling(viewer_client, editor):
    pending = SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        status=SummaryRequest.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=7),
    )
    url = f"{EVALUATION_URL}summaries/{pending.pk}/"
    polled = viewer_client.get(url, headers=HTMX)
    assert polled.status_code == 200
    assert b'hx-trigger="every 2s"' in polled.content
    assert b"PostHog is summarising" in polled.content
    assert b"Running for 7 seconds" in polled.content
    page = viewer_client.get(url).content.decode()
    assert f'<noscript><meta http-equiv="refresh" content="5; url={url}"></noscript>' in page
    assert f'href="{url}">Refresh</a>' in page


def test_a_long_queue_asks_whether_the_worker_runs(viewer_client):
    waiting = SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
    )
    SummaryRequest.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(seconds=45)
    )
    page = viewer_client.get(f"{EVALUATION_URL}summaries/{waiting.pk}/").content.decode()
    assert "Is the background worker running?" in page


def test_a_summary_of_another_evaluation_is_not_found_here(viewer_client, editor):
    summary = stored(editor, minutes_ago=3, stats=(10, 5, 5, 0))
    other = f"/sandbox/evaluations/{EVAL_TONE}/summaries/{summary.pk}/"
    assert viewer_client.get(other).status_code == 404
    assert viewer_client.get(f"{other}export.json").status_code == 404


def test_summaries_stay_readable_after_posthog_deletes_the_evaluation(
    viewer_client, editor, sandbox
):
    summary = stored(editor, minutes_ago=3, stats=(10, 5, 5, 0))
    sandbox.state.evaluations[EVAL_ANSWER_RELEVANCE].deleted = True
    page = viewer_client.get(EVALUATION_URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert "PostHog no longer has this evaluation" in content
    assert f"Summary #{summary.pk}" in content
    assert 'id="summary-form"' not in content


def test_a_request_whose_worker_died_stops_polling_and_can_be_asked_again(editor_client):
    lost = SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        status=SummaryRequest.Status.RUNNING,
        started_at=timezone.now() - timedelta(minutes=10),
    )
    polled = editor_client.get(f"{EVALUATION_URL}summaries/{lost.pk}/", headers=HTMX)
    assert polled.status_code == 286
    assert b"the worker was probably stopped" in polled.content
    assert b">Ask again</button>" in polled.content
    editor_client.post(f"{EVALUATION_URL}summarize/", {"filter": "all"})
    assert SummaryRequest.objects.count() == 2  # not mistaken for a pending duplicate


def test_comparison_colours_a_change_by_whether_it_is_good_news():
    from adminui.evaluations.comparison import tone

    assert tone("fail_count", -31) == "good" and tone("na_count", 6) == "bad"
    assert tone("pass_count", 4) == "good" and tone("pass_rate", -2.5) == "bad"
    assert tone("total_analyzed", 40) == "" and tone("fail_count", 0) == ""


def test_a_failed_latest_request_points_to_the_last_summary_that_succeeded(viewer_client, editor):
    from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE

    def stored(status, **fields):
        return SummaryRequest.objects.create(
            requested_by=editor,
            requested_by_name="eddie",
            environment="sandbox",
            evaluation_id=EVAL_ANSWER_RELEVANCE,
            evaluation_name="Answer relevance",
            status=status,
            **fields,
        )

    good = stored(SummaryRequest.Status.SUCCEEDED, result=None)
    stored(SummaryRequest.Status.FAILED, error_message="Request was throttled.")
    content = viewer_client.get(f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/").content.decode()
    assert "The last summary that succeeded is still here" in content
    assert f"?summary={good.pk}" in content
