"""In a real Chromium: ask for a summary, watch its progress, read the result and its chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from adminui.models import SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from tests.browser import distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD
from tests.summary_helpers import run_worker

pytestmark = pytest.mark.browser

# Records every status the summary panel shows, as htmx swaps it in.
WATCH_PANEL = """() => {
  window.seenStatuses = [];
  const note = () => {
    const panel = document.getElementById("summary-panel");
    if (panel) window.seenStatuses.push(panel.dataset.status);
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true});
  note();
}"""


def test_an_editor_asks_for_a_summary_watches_it_run_and_reads_it(page, editor, sandbox):
    sandbox.switch(summary_delay=2.5)
    log_in(page, "eddie", PASSWORD)
    page.get_by_role("link", name="Evaluations").click()
    page.wait_for_url("**/sandbox/evaluations/")
    page.get_by_role("link", name="Answer relevance").click()
    page.wait_for_url(f"**/evaluations/{EVAL_ANSWER_RELEVANCE}/")
    page.evaluate(WATCH_PANEL)

    page.get_by_label("Failing runs").check()
    page.get_by_role("button", name="Summarise").click()
    panel = page.locator("#summary-panel")
    panel.get_by_role("heading", name=re.compile("^Queued")).wait_for()
    assert "waiting for the background worker" in panel.inner_text()
    # The panel keeps polling on its own: the elapsed time moves on.
    expect(panel.locator("h3 .tag")).not_to_have_text("0 s", timeout=5_000)

    run_worker()  # the database worker, in this process; PostHog takes 2.5 s
    panel.get_by_role("heading", name="Overall assessment").wait_for()
    seen = page.evaluate("window.seenStatuses")
    assert seen[-1] == "succeeded"
    assert "queued" in seen
    assert "running" in seen

    stored = SummaryRequest.objects.get()
    stats = stored.result["statistics"]
    assert panel.locator("[data-stat=total]").inner_text() == str(stats["total_analyzed"])
    assert panel.locator("[data-stat=fail]").inner_text() == str(stats["fail_count"])
    bars = panel.locator("svg.chart rect.chart-bar")
    assert bars.count() == 3
    assert panel.locator("svg.chart rect.chart-fail").get_attribute("data-count") == str(
        stats["fail_count"]
    )
    assert panel.get_by_role("heading", name="Failing patterns").is_visible()
    assert panel.get_by_role("heading", name="Recommendations").is_visible()
    # The history below picked the new summary up without a reload.
    page.locator(f"#summary-history tr[data-summary='{stored.pk}']").wait_for()
    shot = screenshot(page, "evaluation-summary")
    assert distinct_colours(shot) > 20


def test_a_viewer_reads_a_stored_summary_and_compares_two(page, viewer, editor, sandbox):
    from tests.summary_helpers import stored_summary

    older = stored_summary(editor, filter="all")
    newer = stored_summary(editor, filter="all", force_refresh=True)
    log_in(page, "vic", PASSWORD)
    page.goto(f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/")
    assert page.get_by_text("You have the Viewer role").is_visible()
    assert page.get_by_role("button", name="Summarise").count() == 0
    page.get_by_label(f"Compare summary #{older.pk}").check()
    page.get_by_label(f"Compare summary #{newer.pk}").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url("**/summaries/compare/**")
    assert page.get_by_role("heading", name="Statistics").is_visible()
    assert page.locator("svg.chart rect.chart-bar").count() == 6
    shot = screenshot(page, "summary-compare")
    assert distinct_colours(shot) > 20


def test_without_javascript_the_page_refreshes_itself_until_the_summary_is_there(
    browser, live_server, editor
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "eddie", PASSWORD)
    page.goto(f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/")
    page.get_by_role("button", name="Summarise").click()
    expect(page.locator("#summary-panel")).to_contain_text("Queued")
    run_worker()
    # The <noscript> refresh reloads the page (not just its #summary fragment) within 5 s.
    expect(page.get_by_role("heading", name="Overall assessment")).to_be_visible(timeout=9_000)
    context.close()
