"""With JavaScript off, the key flows still work: plain links, forms, pages and redirects."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, screenshot
from tests.conftest import PASSWORD
from tests.summary_helpers import run_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def plain_page(browser, live_server, editor):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "eddie", PASSWORD)
    yield page
    context.close()


def test_adding_filtering_and_deleting_a_key_without_javascript(plain_page):
    page = plain_page
    page.goto("/sandbox/keys/add/")
    page.get_by_label("Provider").select_option("openai")
    page.get_by_label("Name").fill("No-JS key")
    page.get_by_label("API key").fill("sk-invalid-no-js-123456")
    page.get_by_role("button", name="Add key").click()
    expect(page.locator("#field-api_key .errorlist")).to_contain_text("Invalid API key")
    expect(page.get_by_label("Name")).to_have_value("No-JS key")

    page.get_by_label("API key").fill("sk-good-no-js-1234567")
    page.get_by_role("button", name="Add key").click()
    expect(page.get_by_role("heading", name="No-JS key")).to_be_visible()

    page.goto("/sandbox/keys/")
    page.get_by_label("Search").fill("no-js")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.locator("tbody tr details.row-menu > summary").click()  # a <details> needs no script
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “No-JS key”?")).to_be_visible()
    page.get_by_role("button", name="Delete key").click()
    expect(page.locator("#toasts")).to_contain_text("Key “No-JS key” deleted.")
    assert "q=no-js" in page.url, "back to the filtered list"


def test_bulk_validation_without_javascript_follows_the_background_work(plain_page):
    page = plain_page
    page.goto("/sandbox/keys/?provider=anthropic")
    page.get_by_role("button", name="Validate selected").click()
    expect(page.get_by_role("heading", name="Validating 2 keys")).to_be_visible()
    expect(page.locator('li[data-outcome="pending"]')).to_have_count(2)
    run_worker()
    # The page reloads by itself (a meta refresh) until the worker is done.
    expect(page.locator('li[data-outcome="invalid"]')).to_contain_text("Invalid API key")
    expect(page.get_by_text("All 2 checked.")).to_be_visible()
    screenshot(page, "key-bulk-validate-in-the-background")
    page.get_by_role("link", name="Back to the keys").click()
    assert page.url.endswith("/sandbox/keys/?provider=anthropic")
