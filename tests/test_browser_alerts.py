"""In a real Chromium: the Alerts screen lists what a sweep found, an Editor acknowledges an alert
in place (and without JavaScript), and the screen passes axe in both themes at both widths."""

from __future__ import annotations

import re

import pytest
from django.utils.timezone import now
from playwright.sync_api import expect

from adminui.alerts.models import Alert
from adminui.alerts.service import sync_alerts
from adminui.sandbox import demo
from tests.alert_helpers import sandbox_snapshot, with_key_state
from tests.browser import log_in
from tests.conftest import PASSWORD
from tests.screens import THEMES, WIDTHS, artifact, browsing, signed_in_page
from tests.test_browser_accessibility import AXE, problems_on

pytestmark = pytest.mark.browser

ROWS = "tbody tr[id^=alert-]"
GEMINI = "Key “Gemini experiments” is failing"


@pytest.fixture
def alerts(transactional_db):
    """The demo project swept twice: four alerts open, then one more key failed and recovered."""
    sync_alerts(with_key_state(sandbox_snapshot(), demo.KEY_TOGETHER, "invalid", "Invalid API key"))
    sync_alerts(sandbox_snapshot())
    return Alert.objects.all()


def alert_row(page, title: str):
    return page.locator("tbody tr", has=page.get_by_role("link", name=title, exact=True))


def test_an_editor_acknowledges_an_alert_in_place(page, editor, alerts):
    log_in(page, "eddie", PASSWORD)
    page.goto("/sandbox/alerts/")
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.get_by_role("link", name="Alerts 4 open")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    row = alert_row(page, GEMINI)
    expect(row).to_contain_text("Rate limited, please try again later")
    row.get_by_role("button", name=f"Acknowledge {GEMINI}").click()
    expect(row).to_contain_text("Acknowledged")
    expect(row).to_contain_text("by eddie")
    expect(row.get_by_role("button")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no page load
    expect(page.get_by_role("link", name="Alerts 3 open")).to_be_visible()
    page.get_by_role("link", name="Acknowledged 1", exact=True).click()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.get_by_role("link", name="Alerts 3 open")).to_be_visible()


def test_without_javascript_acknowledging_comes_back_to_the_same_list(
    browser, live_server, editor, alerts
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "eddie", PASSWORD)
    page.goto("/alerts/?severity=warning")
    row = alert_row(page, GEMINI)
    row.get_by_role("button", name=f"Acknowledge {GEMINI}").click()
    assert page.url.endswith("/alerts/?severity=warning")
    expect(page.get_by_text(f"Acknowledged: {GEMINI}.")).to_be_visible()
    expect(alert_row(page, GEMINI)).to_contain_text("by eddie")
    context.close()


def test_a_viewer_filters_and_searches_but_cannot_acknowledge(page, viewer, alerts):
    log_in(page, "vic", PASSWORD)
    page.goto("/sandbox/alerts/")
    expect(page.get_by_role("button", name="Acknowledge", exact=False)).to_have_count(0)
    page.get_by_label("Search").fill("token")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.get_by_role("link", name="Resolved 0", exact=True)).to_be_visible()  # counts follow
    assert "q=token" in page.url
    page.get_by_label("Search").fill("")
    page.get_by_role("link", name="Resolved 1", exact=True).click()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Key “Together AI batch” is failing")
    page.get_by_label("Search").fill("gemini")
    expect(page.locator("tbody")).to_contain_text("No alerts match these filters.")
    assert "status=resolved" in page.url  # the tab stays chosen


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_alerts_screen_reads_well_in_each_theme_and_width(
    browser, live_server, admin, alerts, width, theme
):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (make test runs npm ci in tests/js)")
    Alert.objects.filter(subject_id=demo.KEY_GEMINI, kind=Alert.Kind.KEY_FAILING).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_by_name="eddie", acknowledged_at=now()
    )
    with browsing(browser, live_server.url, width, theme) as context:
        page = signed_in_page(context, "ada")
        page.goto("/sandbox/alerts/?status=all")
        expect(page.locator(ROWS)).to_have_count(5)
        page.screenshot(path=str(artifact(f"alerts-{width}-{theme}")), full_page=True)
        assert not problems_on(page, AXE.read_text())
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTHS[width]  # nothing sticks out sideways


def test_the_overview_card_leads_to_the_alerts(page, viewer, alerts):
    log_in(page, "vic", PASSWORD)
    page.goto("/sandbox/")
    card = page.locator("section", has=page.get_by_role("heading", name="Alerts"))
    expect(card.get_by_role("listitem")).to_have_count(4)
    page.screenshot(path=str(artifact("overview-with-alerts-desktop-light")), full_page=True)
    card.get_by_role("link", name="4", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sandbox/alerts/$"))
    expect(page.locator(ROWS)).to_have_count(4)
