"""In a real Chromium: an Editor finds an evaluation whose key is failing, points its judge at
a working key, and reads why a sentiment evaluation has no AI summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from adminui.sandbox import demo
from tests.browser import distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_editor_moves_an_evaluation_off_its_failing_key(page, editor, sandbox):
    log_in(page, "eddie", PASSWORD)
    page.goto("/sandbox/evaluations/?per_page=25")
    row = page.get_by_role("row").filter(has_text="Helpfulness score")
    expect(row.get_by_role("link", name="Key failing")).to_be_visible()
    assert distinct_colours(screenshot(page, "evaluations-list-key-marks")) > 10

    row.get_by_role("link", name="Key failing").click()
    page.wait_for_url(f"**/evaluations/{demo.EVAL_HELPFULNESS_SCORE}/#judge")
    expect(page.locator("[data-key-problem=failing]")).to_contain_text("Gemini experiments")
    expect(page.locator("[data-summary-unavailable]")).to_contain_text("answers with a score")
    page.get_by_label("Provider key").select_option(demo.KEY_STAGING_OPENAI)
    page.get_by_label("Model").fill("gpt-5-mini")
    screenshot(page, "evaluation-judge-form")
    page.get_by_role("button", name="Save judge").click()

    expect(page.get_by_text("now runs gpt-5-mini with “Staging OpenAI”")).to_be_visible()
    expect(page.locator("[data-key-problem]")).to_have_count(0)
    assert sandbox.state.evaluations[
        demo.EVAL_HELPFULNESS_SCORE
    ].model_configuration.provider_key_id == (demo.KEY_STAGING_OPENAI)
    screenshot(page, "evaluation-judge-saved")


def test_a_sentiment_evaluation_explains_why_it_has_no_summary(page, viewer, sandbox):
    log_in(page, "vic", PASSWORD)
    page.goto(f"/sandbox/evaluations/{demo.EVAL_USER_SENTIMENT}/")

    expect(page.locator("[data-summary-unavailable]")).to_contain_text("answers with a sentiment")
    expect(page.get_by_role("button", name="Summarise")).to_have_count(0)
    screenshot(page, "evaluation-sentiment-no-summary")


def test_an_editor_moves_a_revoked_keys_evaluations_from_the_keys_page(page, editor, sandbox):
    log_in(page, "eddie", PASSWORD)
    page.goto(f"/sandbox/keys/{demo.KEY_OLD_ANTHROPIC}/")
    page.get_by_label("to key").select_option(demo.KEY_CLAUDE)
    page.get_by_label("Also turn on the ones that are off").check()
    screenshot(page, "key-move-evaluations")
    page.get_by_role("button", name="Move evaluations").click()

    expect(page.get_by_text("Moved to “Claude judges”")).to_be_visible()
    expect(page.get_by_text("No evaluation pins this key.")).to_be_visible()
    assert sandbox.state.evaluations[demo.EVAL_REFUSAL].enabled
