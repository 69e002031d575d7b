"""In a real Chromium, the provider-key flows people click through."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.browser import distinct_colours, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def editor_page(page, editor):
    log_in(page, "eddie", PASSWORD)
    page.goto("/sandbox/keys/")
    return page


def row(page, name: str):
    return page.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))


def row_menu(page, name: str):
    """The row's "More" menu (a <details>), opened: Edit, Set as active and Delete are in it."""
    target = row(page, name)
    target.locator("details.row-menu > summary").click()
    return target


def test_adding_a_key_whose_check_fails_then_succeeds(editor_page):
    page = editor_page
    page.get_by_role("link", name="Add key").click()
    page.get_by_label("Provider").select_option("anthropic")
    expect(page.get_by_label("API key")).to_have_attribute("placeholder", "sk-ant-...")
    page.get_by_label("Name").fill("Judges (new)")
    page.get_by_label("API key").fill("sk-ant-invalid-0000000000")
    page.get_by_label("Name").focus()  # leaving the key field runs the check
    expect(page.locator("#api-key-status")).to_contain_text("Invalid API key")

    page.get_by_label("API key").fill("sk-ant-good-key-1234567890")
    page.get_by_label("Name").focus()
    expect(page.locator("#api-key-status")).to_contain_text("The provider accepted this key")
    page.get_by_role("button", name="Add key").click()
    expect(page.get_by_role("heading", name="Judges (new)")).to_be_visible()
    expect(page.get_by_text("sk-a...7890").first).to_be_visible()
    assert "sk-ant-good-key-1234567890" not in page.content()


def test_an_openai_compatible_key_asks_for_its_base_url_and_is_told_what_is_wrong_there(
    editor_page,
):
    page = editor_page
    page.get_by_role("link", name="Add key").click()
    expect(page.get_by_label("Base URL")).to_be_hidden()
    page.get_by_label("Provider").select_option("openai_compatible")
    expect(page.get_by_label("Base URL")).to_be_visible()
    expect(page.get_by_label("Azure endpoint")).to_be_hidden()
    page.get_by_label("Name").fill("vLLM (new)")
    page.get_by_label("Base URL").fill("https://missing.example.com/v1")
    page.get_by_label("API key").fill("local-key-0123456789")
    page.get_by_label("Name").focus()  # leaving the key field runs the check
    expect(page.locator("#base-url-status")).to_contain_text("did not return a model list")
    expect(page.locator("#api-key-status")).to_contain_text("Check the base URL.")
    screenshot(page, "key-add-base-url")

    page.get_by_label("Base URL").fill("https://llm.example.com/v1")
    page.get_by_role("button", name="Add key").click()
    expect(page.get_by_role("heading", name="vLLM (new)")).to_be_visible()
    expect(page.get_by_text("https://llm.example.com/v1")).to_be_visible()


def test_a_system_one_key_shows_its_own_fields_and_is_not_offered_for_evaluations(editor_page):
    page = editor_page
    page.get_by_role("link", name="Add key").click()
    expect(page.get_by_label("Use for evaluations")).to_be_visible()
    page.get_by_label("Provider").select_option("typesafe")
    expect(page.get_by_label("Model ID")).to_be_visible()
    expect(page.get_by_label("This System One endpoint takes no credential")).to_be_visible()
    expect(page.get_by_label("Use for evaluations")).to_be_hidden()


def test_editing_a_key_name(editor_page):
    page = editor_page
    row_menu(page, "Staging OpenAI").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("New API key")).to_have_attribute(
        "placeholder", re.compile(r"Leave empty to keep the current one \(sk-")
    )
    page.get_by_label("Name").fill("Staging OpenAI (EU)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Staging OpenAI (EU)")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("saved")
    expect(page.get_by_role("cell", name=re.compile("edited key"))).to_be_visible()


def test_validating_a_key_shows_its_new_state_in_place(editor_page, sandbox):
    page = editor_page
    target = row(page, "Together AI batch")
    expect(target).to_contain_text("Unknown")
    target.get_by_role("button", name="Validate").click()
    expect(page.locator("#toasts")).to_contain_text("validated: valid")
    expect(row(page, "Together AI batch")).to_contain_text("Valid")
    assert page.url.endswith("/sandbox/keys/"), "no full navigation"


def test_setting_the_active_key_updates_the_table_and_the_card(editor_page):
    page = editor_page
    row_menu(page, "Staging OpenAI").get_by_role("button", name="Set as active").click()
    expect(page.locator("#config-card")).to_contain_text("Staging OpenAI")
    expect(row(page, "Staging OpenAI")).to_contain_text("Active")
    expect(row(page, "Production OpenAI")).not_to_contain_text("Active")
    disabled = row_menu(page, "Anthropic (2024, revoked)").get_by_role(
        "button", name="Set as active"
    )
    expect(disabled).to_be_disabled()


def test_deleting_a_key_with_a_replacement(editor_page):
    page = editor_page
    row_menu(page, "Production OpenAI").get_by_role("link", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This cannot be undone.")
    expect(dialog.get_by_label(re.compile("Move them to another OpenAI key"))).to_have_value(
        re.compile(".+")
    )
    screenshot(page, "key-delete-dialog")
    dialog.get_by_role("button", name="Delete key").click()
    page.wait_for_url("**/sandbox/keys/")
    expect(page.locator("#toasts")).to_contain_text("deleted")
    expect(row(page, "Production OpenAI")).to_have_count(0)
    expect(page.locator("#config-card")).to_contain_text("Staging OpenAI")


def test_searching_and_filtering_keys_keeps_the_state_in_the_url(editor_page):
    page = editor_page
    page.get_by_label("Search").fill("openai")
    expect(page.locator("tbody tr")).to_have_count(2)  # Production and Staging OpenAI
    page.wait_for_url(re.compile(r"q=openai"))
    page.get_by_label("Search").fill("")
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_label("State").select_option("ok")
    page.wait_for_url(re.compile(r"state=ok"))
    expect(page.locator("tbody tr")).to_have_count(6)
    page.get_by_label("Provider").select_option("openai")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(2)
    shot = screenshot(page, "key-list-filtered")
    assert distinct_colours(shot) > 20


def test_bulk_validation_shows_each_outcome_and_the_count(editor_page):
    page = editor_page
    row(page, "Together AI batch").get_by_label("Select Together AI batch").check()
    row(page, "Anthropic (2024, revoked)").get_by_label("Select Anthropic (2024, revoked)").check()
    page.get_by_role("button", name="Validate selected").click()
    results = page.locator("#bulk-results")
    expect(results.locator("li[data-outcome]")).to_have_count(2)
    expect(results.locator('li[data-outcome="invalid"]')).to_contain_text("Invalid API key")
    count = page.evaluate(
        "getComputedStyle(document.querySelector('.bulk-count'), '::after').content"
    )
    assert count == 'counter(checked) " of 2 checked"'  # the number itself is drawn by CSS
    expect(row(page, "Together AI batch")).to_contain_text("Valid")  # the table refreshed
    screenshot(page, "key-bulk-validate")


def test_after_a_failed_search_the_list_recovers(editor_page, sandbox):
    page = editor_page
    sandbox.faults.add("provider_keys", status=503, times=3)
    cache.clear()  # no copy of the list (adminui/web/listcopy.py): the search asks PostHog
    page.get_by_label("Search").fill("claude")
    expect(page.locator("#key-region [role=alert]")).to_contain_text("HTTP 503")
    sandbox.faults.clear()
    page.get_by_label("Search").fill("claud")
    expect(page.locator("#key-region tbody tr")).to_have_count(1)


def test_the_back_button_brings_back_the_whole_page(editor_page):
    page = editor_page
    page.get_by_role("link", name="Name").click()
    page.wait_for_url("**o=name**")
    page.get_by_role("link", name="Name").click()
    page.wait_for_url("**o=-name**")
    with page.expect_response(lambda response: "o=name" in response.url):
        page.go_back()  # htmx asks the server for the page again (its history cache is off)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="LLM provider keys")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_a_throttled_list_tries_again_by_itself_once_posthog_accepts_requests(editor_page, sandbox):
    page = editor_page
    headers = {"Retry-After": "2"}
    sandbox.faults.add("provider_keys", method="GET", status=429, headers=headers, times=1)
    cache.clear()  # no copy of the list (adminui/web/listcopy.py): the search asks PostHog
    page.get_by_label("Search").fill("claude")
    alert = page.locator("#key-region [role=alert]")
    expect(alert).to_contain_text("PostHog is rate limiting the portal. Try again in 2 seconds.")
    expect(alert).to_contain_text("Trying again in 2 s")
    screenshot(page, "keys-rate-limited-region")
    expect(page.locator("#key-region tbody tr")).to_have_count(1, timeout=5_000)
    expect(alert).to_have_count(0)
