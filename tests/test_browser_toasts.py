"""In a real Chromium: toasts rendered by the server, swapped in out of band by htmx, behave as
the page's own: a success leaves by itself, an error stays until dismissed; and what the
browser lacks (a clipboard) hides the button that needs it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from adminui.sandbox import demo
from tests.browser import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def keys_page(page, editor):
    page.clock.install()  # time runs as usual until a test fast-forwards it
    log_in(page, "eddie", PASSWORD)
    page.goto("/sandbox/keys/")
    return page


def validate(page, name: str) -> None:
    row = page.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))
    row.get_by_role("button", name="Validate").click()


def test_a_success_toast_from_an_htmx_write_dismisses_itself(keys_page):
    page = keys_page
    validate(page, "Together AI batch")
    toast = page.locator("#toasts").get_by_role("status")
    expect(toast).to_contain_text("Key “Together AI batch” validated: valid.")
    # app.js starts its timer when it enhances the swapped-in toast, which may be a moment later.
    expect(toast).not_to_have_attribute("data-autohide", re.compile(".*"))
    page.clock.fast_forward(7000)
    expect(toast).to_have_count(0)


def test_an_error_toast_stays_until_dismissed(keys_page):
    page = keys_page
    validate(page, "Anthropic (2024, revoked)")
    toast = page.locator("#toasts").get_by_role("alert")
    expect(toast).to_contain_text("validation failed: Invalid API key.")
    page.clock.fast_forward(7000)
    expect(toast).to_be_visible()
    toast.get_by_text("×").click()
    expect(toast).to_have_count(0)


def test_a_portal_that_cannot_be_reached_is_an_error_toast(keys_page):
    page = keys_page
    page.route("**/validate/", lambda route: route.abort())
    validate(page, "Together AI batch")
    toast = page.locator("#toasts").get_by_role("alert")
    expect(toast).to_contain_text("The portal could not be reached.")
    expect(toast.get_by_label("Dismiss")).to_have_count(1)


def test_without_a_clipboard_api_copy_buttons_stay_hidden(page, viewer):
    # As on a plain-http page: the browser offers navigator.clipboard only to secure contexts.
    page.add_init_script("delete Navigator.prototype.clipboard")
    log_in(page, "vic", PASSWORD)
    page.goto(f"/sandbox/integrations/{demo.JIRA_INTEGRATION_ID}/")
    expect(page.get_by_role("link", name="CSV").first).to_be_visible()
    expect(page.get_by_role("button", name="Copy ids")).to_be_hidden()
