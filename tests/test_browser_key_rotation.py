"""In a real Chromium: rotating a key from its page, a refused secret first, with and without
JavaScript; the key keeps its id and its evaluations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from adminui.sandbox import demo
from tests.browser import distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PAGE = f"/sandbox/keys/{demo.KEY_PRODUCTION_OPENAI}/"
SECRET = "sk-proj-browser-rotated-5566"


def pinned_to_production(sandbox) -> list[str]:
    return sorted(
        evaluation.name
        for evaluation in sandbox.state.evaluations.values()
        if evaluation.model_configuration
        and evaluation.model_configuration.provider_key_id == demo.KEY_PRODUCTION_OPENAI
    )


def test_rotating_a_key_from_its_page(page, editor, sandbox):
    pinned = pinned_to_production(sandbox)
    log_in(page, "eddie", PASSWORD)
    page.goto(PAGE)
    page.locator(".page-head").get_by_role("link", name="Rotate", exact=True).click()
    expect(page.get_by_role("heading", name="Rotate “Production OpenAI”")).to_be_visible()
    expect(page.get_by_text("2 evaluations pinned to this key")).to_be_visible()

    page.get_by_label("New API key").fill("sk-proj-invalid-browser-0000")
    page.get_by_role("button", name="Rotate key").click()
    form = page.locator("#rotate-form")
    expect(form.locator("[role=alert]")).to_contain_text("Nothing was changed")
    expect(form.locator("#field-api_key .errorlist")).to_contain_text("Invalid API key")
    expect(page.get_by_label("New API key")).to_have_value("")  # a secret is never sent back
    screenshot(page, "key-rotate-refused")

    page.get_by_label("New API key").fill(SECRET)
    page.get_by_role("button", name="Rotate key").click()
    expect(page.get_by_role("heading", name="Production OpenAI")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("rotated (sk-p...3GsU → sk-p...5566)")
    assert page.url.endswith(PAGE), "the same key, by the same id"
    expect(page.get_by_text("sk-p...5566").first).to_be_visible()
    expect(page.locator("table").get_by_text("rotated key")).to_be_visible()
    assert SECRET not in page.content()
    assert distinct_colours(screenshot(page, "key-rotated")) > 20
    assert pinned_to_production(sandbox) == pinned and pinned


def test_rotating_a_key_without_javascript(browser, live_server, editor, sandbox):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "eddie", PASSWORD)

    page.goto(f"{PAGE}rotate/")
    page.get_by_label("New API key").fill(SECRET)
    page.get_by_role("button", name="Rotate key").click()

    expect(page.locator("#toasts")).to_contain_text("checked again: valid")
    assert page.url.endswith(PAGE)
    assert sandbox.state.provider_keys[demo.KEY_PRODUCTION_OPENAI].api_key == SECRET
    context.close()
