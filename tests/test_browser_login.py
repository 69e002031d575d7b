"""In a real Chromium: log in, find your way around, and see the sandbox's data."""

from __future__ import annotations

import pytest

from tests.browser import distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_viewer_logs_in_navigates_and_sees_sandbox_data(page, viewer):
    log_in(page, "vic", PASSWORD)
    assert page.get_by_role("heading", name="Overview").is_visible()
    page.get_by_role("link", name="LLM keys").click()
    page.wait_for_url("**/sandbox/keys/")
    assert page.get_by_role("heading", name="LLM provider keys").is_visible()
    rows = page.locator("tbody tr")
    assert rows.count() >= 6
    shot = screenshot(page, "key-list")
    assert distinct_colours(shot) > 20


def test_the_keyboard_reaches_the_search_box_and_the_sections(page, viewer):
    log_in(page, "vic", PASSWORD)
    page.keyboard.press("g")
    page.keyboard.press("k")
    page.wait_for_url("**/sandbox/keys/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"


def test_after_too_many_wrong_passwords_the_login_page_says_why(page, viewer, settings):
    page.goto("/login/")
    for password in [*["not-the-password"] * settings.AXES_FAILURE_LIMIT, PASSWORD]:
        page.get_by_label("Username").fill("vic")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Too many failed attempts; try again in 15 minutes" in alert.inner_text()
    assert page.get_by_label("Username").input_value() == "vic"
    screenshot(page, "login-locked-out")
