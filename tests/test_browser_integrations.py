"""In a real Chromium: browse GitHub repositories, drill into Google Ads, read the Overview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from adminui.sandbox import demo
from tests.browser import CHROMIUM, distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

GITHUB = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"
GOOGLE = f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/"


@pytest.fixture
def viewer_page(page, viewer):
    log_in(page, "vic", PASSWORD)
    return page


def test_browsing_github_repositories_with_search_and_paging(viewer_page, sandbox):
    page = viewer_page
    page.keyboard.press("g")
    page.keyboard.press("i")
    page.wait_for_url("**/sandbox/integrations/")
    expect(page.get_by_role("cell", name="Needs reconnecting")).to_be_visible()
    screenshot(page, "integrations-list")
    page.get_by_role("link", name="acme-corp", exact=True).click()
    panel = page.locator("#panel-repositories")
    expect(panel).to_contain_text("1–30 of 160")

    panel.get_by_role("link", name="Next →").click()
    expect(panel).to_contain_text("31–60 of 160")
    page.wait_for_url(re.compile(r"/integrations/2101/\?page=2$"))
    expect(page.get_by_role("heading", name="acme-corp")).to_be_visible()  # still the page

    page.get_by_label("Search repositories").fill("gateway")
    expect(panel).not_to_contain_text("of 160")
    page.wait_for_url(re.compile(r"q=gateway"))
    rows = panel.locator("tbody tr")
    assert rows.count() >= 1
    for cell in rows.locator("td:first-child").all_inner_texts():
        assert "gateway" in cell
    expect(page.get_by_label("Search repositories")).to_be_focused()

    first = rows.first.locator(".mono").first.inner_text()
    rows.first.get_by_role("link", name="Branches").click()
    branches = page.locator("#panel-branches")
    expect(branches.get_by_role("heading")).to_contain_text(first)
    expect(branches.locator(".tag-info", has_text="Default")).to_be_visible()
    page.wait_for_url(re.compile(r"repo=acme-corp%2F"))
    expect(panel.locator('tr[aria-current="true"]')).to_contain_text(first)

    shot = screenshot(page, "integrations-github")
    assert distinct_colours(shot) > 20


def test_copying_the_ids_of_a_list(viewer_page, sandbox):
    page = viewer_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/sandbox/integrations/{demo.JIRA_INTEGRATION_ID}/")
    page.get_by_role("button", name="Copy ids").click()
    expect(page.locator("#toasts")).to_contain_text("Copied 5 ids.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == ["10000", "10001", "10002", "10003", "10004"]


@pytest.mark.usefixtures("older_posthog")
def test_drilling_into_google_ads_conversion_actions(viewer_page, sandbox):
    page = viewer_page
    page.goto(GOOGLE)
    tree = page.locator("#panel-google-accounts")
    expect(tree).to_contain_text("Acme Holdings (MCC)")
    expect(page.locator("#panel-conversion-actions")).to_contain_text("Choose an account")

    tree.get_by_role("link", name="Acme US").click()
    conversions = page.locator("#panel-conversion-actions")
    expect(conversions.get_by_role("heading")).to_contain_text("2345678901")
    page.wait_for_url(re.compile(r"customer=2345678901&parent=1234567890"))
    actions = sandbox.state.integrations[demo.GOOGLE_ADS_INTEGRATION_ID].resources[
        "conversion_actions"
    ]["2345678901"]
    for action in actions:
        expect(conversions).to_contain_text(action["name"])
    expect(tree.locator('a[aria-current="true"]')).to_have_text("Acme US")

    tree.get_by_role("link", name="Acme Retargeting").click()
    expect(conversions.get_by_role("heading")).to_contain_text("9012345678")
    shot = screenshot(page, "integrations-google-ads")
    assert distinct_colours(shot) > 20


def test_a_list_posthog_refuses_to_api_keys_explains_itself(viewer_page, sandbox):
    page = viewer_page
    page.goto(f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/")
    panel = page.locator("#browser")
    expect(panel).to_contain_text(
        "PostHog shows Google Ads accounts and conversion actions only to people logged in"
    )
    expect(panel).not_to_contain_text("Choose an account")
    expect(
        panel.get_by_role("link", name=re.compile("Open Integrations in PostHog"))
    ).to_be_visible()
    screenshot(page, "integrations-refused")


def test_connecting_goes_to_the_provider_or_explains_why_not(page, editor, sandbox):
    sandbox.switch(legacy_integration_access=True)
    log_in(page, "eddie", PASSWORD)
    page.goto("/sandbox/integrations/")
    page.get_by_role("link", name="Connect an integration").click()
    page.get_by_label("Slack").check()
    screenshot(page, "integrations-connect")
    page.get_by_role("button", name="Continue to the provider").click()
    expect(page.get_by_role("heading", name="Connect slack to Acme AI")).to_be_visible()
    assert page.url.startswith(f"{sandbox.url}/_sandbox/oauth/slack/authorize?")

    sandbox.switch(legacy_integration_access=False)
    page.goto("/sandbox/integrations/connect/")
    expect(
        page.get_by_text("This PostHog connects integrations only for a person logged in")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Continue to the provider")).to_have_count(0)
    link = page.get_by_role("link", name="Connect Google Ads in PostHog ↗")
    expect(link).to_have_attribute(
        "href", re.compile(r"/api/projects/4242/integrations/authorize/")
    )
    screenshot(page, "integrations-connect-refused")


def test_the_overview(viewer_page, sandbox):
    page = viewer_page
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    for title in ["Evaluation key", "LLM provider keys", "Evaluations", "Integrations"]:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.locator("#card-integrations").locator("..")).to_contain_text("Acme Labs")
    expect(page.locator("#card-keys").locator("..")).to_contain_text("Needs attention")

    sandbox.faults.add(r"/integrations/?$", status=500)
    page.get_by_role("link", name="Refresh").click()
    expect(page.locator("#card-integrations").locator("..")).to_contain_text("HTTP 500")
    expect(page.locator("#card-keys").locator("..")).to_contain_text("Needs attention")
    shot = screenshot(page, "overview")
    assert distinct_colours(shot) > 20


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
def test_github_paging_and_branches_work_without_javascript(browser, live_server, viewer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "vic", PASSWORD)
        page.goto(GITHUB)
        page.locator("#panel-repositories").get_by_role("link", name="Next →").click()
        expect(page.locator("#panel-repositories")).to_contain_text("31–60 of 160")
        expect(page.locator("#panel-repositories [data-copy-ids]")).to_have_count(1)
        expect(
            page.locator("#panel-repositories [data-copy-ids]")
        ).to_be_hidden()  # copying needs JavaScript
        page.locator("#panel-repositories tbody tr").first.get_by_role("link").click()
        expect(page.locator("#panel-branches")).to_contain_text("Default")
        expect(page.locator("#panel-repositories")).to_contain_text("31–60 of 160")
    finally:
        context.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
def test_without_javascript_the_csp_lets_the_connect_form_go_on_to_the_provider(
    browser, live_server, editor, older_posthog
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "eddie", PASSWORD)
        page.goto("/sandbox/integrations/connect/")
        page.get_by_label("Slack").check()
        page.get_by_role("button", name="Continue to the provider").click()
        expect(page.get_by_role("heading", name="Connect slack to Acme AI")).to_be_visible()
        assert page.url.startswith(f"{older_posthog.url}/_sandbox/oauth/slack/authorize?")
    finally:
        context.close()


def test_the_slack_channel_list_explains_missing_channels(viewer_page, sandbox):
    page = viewer_page
    page.goto(f"/sandbox/integrations/{demo.SLACK_INTEGRATION_ID}/")
    panel = page.locator("#panel-channels")
    panel.get_by_text("A channel missing?").click()
    expect(panel).to_contain_text("PostHog lists private channels only to the person who")
    panel.get_by_label("Search channels").fill("eng-")
    expect(panel.locator("tbody tr").first).to_contain_text("eng-")
    expect(panel).to_contain_text("A channel missing?")  # the note stays while searching
    screenshot(page, "integrations-slack")
