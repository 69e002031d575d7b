"""In a real Chromium: "?" opens the keyboard shortcut sheet; its link works without JavaScript;
Log out needs no menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_question_mark_opens_the_shortcut_sheet_and_escape_closes_it(page, viewer):
    log_in(page, "vic", PASSWORD)
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_be_hidden()
    page.keyboard.press("?")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("Audit log")
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()

    page.get_by_role("link", name="Keyboard shortcuts").click()
    expect(sheet).to_be_visible()
    sheet.get_by_role("link", name="Close").click()
    expect(sheet).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("e")  # the shortcuts still work once it is closed
    page.wait_for_url("**/sandbox/evaluations/")


def test_the_shortcut_sheet_and_log_out_work_without_javascript(browser, live_server, viewer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "vic", PASSWORD)
    page.get_by_role("link", name="Keyboard shortcuts").click()
    sheet = page.locator("#shortcuts")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("Search the list on this page")
    sheet.get_by_role("link", name="Close").click()
    expect(sheet).to_be_hidden()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")
    context.close()
