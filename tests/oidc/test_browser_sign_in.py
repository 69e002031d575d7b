"""In a real Chromium: sign in with the provider, see the role it gave, and sign out of both."""

from __future__ import annotations

import pytest

from tests.browser import distinct_colours, screenshot
from tests.oidc.conftest import PASSWORD, PROVIDER_NAME

pytestmark = pytest.mark.browser


def sign_in_at_the_provider(page, issuer: str, login: str) -> None:
    page.goto("/login/")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_signs_in_with_the_provider_and_out_of_both(sso, page):
    sign_in_at_the_provider(page, sso.issuer, "eddie")
    page.wait_for_url("**/sandbox/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.locator(".role-tag").inner_text() == "Editor"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{sso.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url("**/login/")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(f"{sso.issuer}/interaction/**")
    assert page.get_by_label("Password").is_visible(), "the provider's session ended too"


def test_a_person_whose_groups_give_no_role_reads_why_on_the_login_page(sso, page):
    sign_in_at_the_provider(page, sso.issuer, "nina")
    page.wait_for_url("**/login/")
    assert "none of your groups there gives a role" in page.get_by_role("alert").inner_text()
    assert distinct_colours(screenshot(page, "login-sso-refused")) > 20
