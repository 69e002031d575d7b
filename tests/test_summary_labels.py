"""Telling stored summaries apart: regenerated, from PostHog's cache, of chosen generations."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from django.utils import timezone

from adminui.models import SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from tests.conftest import HTMX
from tests.summary_helpers import EVALUATION_URL
from tests.test_summary_history import stored

GENERATIONS = [
    "0b9e6c5e-2f4d-4a7b-9f0e-1c2d3e4f5a6b",
    "1b9e6c5e-2f4d-4a7b-9f0e-1c2d3e4f5a6b",
    "2b9e6c5e-2f4d-4a7b-9f0e-1c2d3e4f5a6b",
]


def options(page: str) -> list[str]:
    picker = page.split('id="compare-a"')[1].split("</select>")[0]
    return [
        html.unescape(re.sub(r"\s+", " ", o)).strip()
        for o in re.findall(r">([^<]+)</option>", picker)
    ]


def test_the_comparison_picker_labels_each_kind_of_summary_distinctly(viewer_client, editor):
    first = stored(editor, minutes_ago=30, stats=(100, 70, 20, 10))
    cached = stored(editor, minutes_ago=20, stats=(100, 70, 20, 10))
    regenerated = stored(editor, minutes_ago=10, stats=(100, 60, 30, 10), force_refresh=True)
    chosen = stored(editor, minutes_ago=5, stats=(3, 2, 1, 0), generation_ids=GENERATIONS)
    page = viewer_client.get(f"{EVALUATION_URL}summaries/compare/").content.decode()
    labels = {label.split(" · ")[0]: label for label in options(page)}
    assert labels[f"#{first.pk}"].endswith("· All runs")
    assert labels[f"#{cached.pk}"].endswith("· All runs · from PostHog's cache")
    assert labels[f"#{regenerated.pk}"].endswith("· All runs · regenerated")
    assert labels[f"#{chosen.pk}"].endswith("· All runs · 3 generations")
    assert len(set(labels.values())) == 4


def test_the_overview_labels_recent_summaries_the_same_way(viewer_client, editor):
    stored(editor, minutes_ago=10, stats=(100, 60, 30, 10), force_refresh=True)
    stored(editor, minutes_ago=5, stats=(3, 2, 1, 0), generation_ids=GENERATIONS)
    page = html.unescape(viewer_client.get("/sandbox/").content.decode())
    assert "· All runs · regenerated" in page
    assert "· All runs · 3 generations" in page


def test_an_answer_from_posthogs_cache_says_so_instead_of_how_long_it_took(viewer_client, editor):
    first = stored(editor, minutes_ago=30, stats=(100, 70, 20, 10))
    cached = stored(editor, minutes_ago=20, stats=(100, 70, 20, 10))
    page = html.unescape(
        viewer_client.get(f"{EVALUATION_URL}?summary={cached.pk}").content.decode()
    )
    meta = page.split('class="summary-meta')[1].split("</p>")[0]
    assert "from PostHog's cache (asked at" in meta
    assert f"summaries/{first.pk}/" in meta
    assert "took" not in meta


def test_the_same_answer_after_posthogs_hour_is_not_called_cached(viewer_client, editor):
    stored(editor, minutes_ago=200, stats=(100, 70, 20, 10))
    later = stored(editor, minutes_ago=20, stats=(100, 70, 20, 10))
    page = viewer_client.get(f"{EVALUATION_URL}?summary={later.pk}").content.decode()
    assert "PostHog&#x27;s cache" not in page and "took 12.0 s" in page


def test_a_summary_of_chosen_generations_is_titled_by_them(viewer_client, editor):
    chosen = stored(
        editor, minutes_ago=5, stats=(2, 2, 0, 0), generation_ids=GENERATIONS, filter="pass"
    )
    page = viewer_client.get(f"{EVALUATION_URL}?summary={chosen.pk}").content.decode()
    assert "Summary of passing runs of 3 generations</h3>" in page


def test_fewer_runs_than_generations_asked_for_is_said(viewer_client, editor):
    chosen = stored(editor, minutes_ago=5, stats=(2, 2, 0, 0), generation_ids=GENERATIONS)
    page = viewer_client.get(f"{EVALUATION_URL}?summary={chosen.pk}").content.decode()
    assert "3 generations asked for, 2 runs summarised: PostHog found no runs for some" in page
    everything = stored(editor, minutes_ago=1, stats=(3, 2, 1, 0), generation_ids=GENERATIONS)
    page = viewer_client.get(f"{EVALUATION_URL}?summary={everything.pk}").content.decode()
    assert "generations asked for" not in page


def test_a_running_summary_says_what_posthog_reads_and_that_it_updates_in_both_modes(
    viewer_client, editor
):
    pending = SummaryRequest.objects.create(
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        filter="fail",
        generation_ids=GENERATIONS,
        status=SummaryRequest.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=7),
    )
    url = f"{EVALUATION_URL}summaries/{pending.pk}/"
    for headers in ({}, HTMX):  # the page reloads itself without JavaScript, htmx polls
        page = viewer_client.get(url, headers=headers).content.decode()
        assert "PostHog reads up to 250 failing runs of the 3 generations you chose, and" in page
        assert "This updates by itself every few seconds." in page
