"""In a real Chromium, with and without JavaScript: the header's switcher keeps you on the same
screen in another environment, and All environments and the keys matrix open from it; both
pages, light and dark, at desktop and phone widths, have no serious accessibility problem."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from adminui.models import AuditEvent
from tests.browser import log_in
from tests.conftest import PASSWORD
from tests.screens import THEMES, WIDTHS, artifact, browsing, signed_in_page
from tests.test_browser_accessibility import AXE, problems_on
from tests.two_environments import installed, production_and_staging

pytestmark = pytest.mark.browser

SCREENS = {
    "all-environments": "/environments/",
    "keys-across-environments": "/environments/keys/",
    "environment-switcher": "/prod/keys/",  # shot with the menu open
    "audit-log-environments": "/audit/",
}


@pytest.fixture
def two(sandbox, live_server, admin):
    for environment in ("prod", "staging"):
        AuditEvent.objects.create(
            actor=admin,
            actor_name=admin.username,
            environment=environment,
            action="provider_key.create",
            target_type="provider_key",
            target_label=f"{environment} key",
            outcome=AuditEvent.Outcome.SUCCESS,
        )
    with installed(*production_and_staging(sandbox)) as environments:
        yield environments


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_switcher_keeps_the_screen_and_opens_all_environments(
    browser, live_server, two, javascript
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "ada", PASSWORD)
        page.goto("/prod/keys/?provider=anthropic")
        expect(page).to_have_title("LLM provider keys · Production · adminui")
        switcher = page.locator("details.env-switcher")
        switcher.locator("summary").click()  # a <details>: opens without JavaScript
        switcher.get_by_role("link", name="Staging").click()
        page.wait_for_url("**/staging/keys/?provider=anthropic")
        expect(page).to_have_title("LLM provider keys · Staging · adminui")
        expect(page.locator("tbody tr")).to_have_count(2)  # the filter came along

        switcher.locator("summary").click()
        switcher.get_by_role("link", name="All environments").click()
        page.wait_for_url("**/environments/")
        expect(page.locator("#environment-rows tbody tr")).to_have_count(2)
        page.get_by_role("link", name="Keys across environments").first.click()
        page.wait_for_url("**/environments/keys/")
        page.locator('td[data-environment="staging"] a').first.click()
        page.wait_for_url("**/staging/keys/?provider=*")
    finally:
        context.close()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_environment_screens_have_no_serious_accessibility_problem(
    browser, live_server, two, width, theme
):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (make test runs npm ci in tests/js)")
    axe_source = AXE.read_text()
    found: list[str] = []
    with browsing(browser, live_server.url, width, theme) as context:
        page = signed_in_page(context, "ada")
        for name, path in SCREENS.items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            if name == "environment-switcher":
                page.locator("details.env-switcher summary").click()
            page.screenshot(path=str(artifact(f"{name}-{width}-{theme}")), full_page=True)
            found += [f"{name} {width} {theme}: {p}" for p in problems_on(page, axe_source)]
    assert not found, "\n".join(found)


def test_escape_or_a_click_elsewhere_closes_the_switcher(page, two):
    log_in(page, "ada", PASSWORD)
    page.goto("/prod/")
    switcher = page.locator("details.env-switcher")
    switcher.locator("summary").click()
    expect(switcher).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(switcher).not_to_have_attribute("open", "")
    switcher.locator("summary").click()
    page.locator("h1").click()
    expect(switcher).not_to_have_attribute("open", "")
