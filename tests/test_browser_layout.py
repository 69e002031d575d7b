"""In a real Chromium at desktop and phone widths: lists keep names whole and inside the screen,
the navigation is all reachable, and a result that appears elsewhere is brought into view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from adminui.sandbox import demo
from tests.screens import INTEGRATIONS, WIDTHS, add_audit_events, browsing, signed_in_page

pytestmark = pytest.mark.browser

LISTS = {
    "keys": "/sandbox/keys/",
    "evaluations": "/sandbox/evaluations/",
    "integrations": INTEGRATIONS,
    "audit log": "/audit/",
    "GitHub repositories and branches": f"{INTEGRATIONS}{demo.GITHUB_INTEGRATION_ID}/"
    "?repo=acme-corp%2Fauth-ui",
    "Slack channels": f"{INTEGRATIONS}{demo.SLACK_INTEGRATION_ID}/",
    "Google Ads conversion actions": f"{INTEGRATIONS}{demo.GOOGLE_ADS_INTEGRATION_ID}/"
    "?customer=2345678901&parent=1234567890",
    "LinkedIn conversion rules": f"{INTEGRATIONS}{demo.LINKEDIN_ADS_INTEGRATION_ID}/"
    "?account=508912377",
    "Twilio phone numbers": f"{INTEGRATIONS}{demo.TWILIO_INTEGRATION_ID}/",
}

# The words of each row's name (its first cell's link, else the cell) that a line break cuts:
# a word laid out on two lines has two boxes. Names like acme-corp/web-api may break at - and /;
# ids shown with a name (in .mono) may break anywhere.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const row of document.querySelectorAll("main tbody tr")) {
    const cell = [...row.cells].find((td) => !td.matches(".row-select, .empty"));
    if (!cell) continue;
    const name = cell.querySelector("a, strong") || cell;
    const walker = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".mono")) continue;  // an id under the name may wrap
      for (const match of node.data.matchAll(/[^\\s\\/-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# Boxes that scroll sideways, and how much wider the page is than the screen.
SIDEWAYS = """() => ({
  page: document.scrollingElement.scrollWidth - window.innerWidth,
  regions: [...document.querySelectorAll("main *")]
    .filter((element) => element.scrollWidth > element.clientWidth + 1
      && ["auto", "scroll"].includes(getComputedStyle(element).overflowX))
    .map((element) => element.className || element.tagName),
})"""


@pytest.fixture
def screens(browser, live_server, admin, older_posthog):
    """Older PostHog lists Google Ads, LinkedIn and Twilio to the portal: lists to lay out."""
    add_audit_events(admin)

    def at(width: str):
        return browsing(browser, live_server.url, width, "light")

    return at


@pytest.mark.parametrize("width", WIDTHS)
def test_lists_keep_names_whole_and_inside_the_screen(screens, width):
    problems = []
    with screens(width) as context:
        page = signed_in_page(context, "ada")
        for name, path in LISTS.items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert page.locator("main tbody tr").count() > 0, name
            if broken := page.evaluate(BROKEN_WORDS):
                problems.append(f"{name}: names break inside {broken}")
            sideways = page.evaluate(SIDEWAYS)
            if sideways["page"] > 0:
                problems.append(f"{name}: the page is {sideways['page']} px wider than the screen")
            if sideways["regions"]:
                problems.append(f"{name}: content scrolls sideways in {sideways['regions']}")
            assert_navigation_is_reachable(page)
    assert not problems, "\n".join(problems)


def assert_navigation_is_reachable(page) -> None:
    """Every item of the main navigation, Log out and the shortcut list are on the screen and
    can be clicked, without a menu to open or a hidden scroll."""
    page.evaluate("window.scrollTo(0, 0)")
    width = page.viewport_size["width"]
    items = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert items.count() == 6  # Overview, keys, evaluations, integrations, alerts, audit log
    for target in [
        *items.all(),
        page.get_by_role("button", name="Log out"),
        page.get_by_role("link", name="Keyboard shortcuts"),
    ]:
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, target
        target.click(trial=True)  # visible, steady and not covered by anything


def test_a_key_list_at_desktop_width_has_one_row_line_per_key(screens, sandbox):
    """Names wrap between words, at most once; the actions a row shows fit on one line."""
    with screens("desktop") as context:
        page = signed_in_page(context, "ada")
        page.goto("/sandbox/keys/")
        lines = page.evaluate("""() => [...document.querySelectorAll("#key-region tbody tr")]
          .map((row) => [row.querySelector("strong"), row.querySelector(".row-actions")])
          .map(([name, actions]) => [
            name.textContent,
            name.getClientRects().length,
            new Set([...actions.children].map((child) => child.getBoundingClientRect().top)).size,
          ])""")
    assert len(lines) == len(sandbox.state.provider_keys)
    assert [line for line in lines if line[1] > 2 or line[2] != 1] == []


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_branches_of_a_repository_far_down_the_list_appear_beside_it(screens):
    with screens("desktop") as context:
        page = signed_in_page(context, "ada")
        page.goto(f"{INTEGRATIONS}{demo.GITHUB_INTEGRATION_ID}/")
        opener = page.locator("#panel-repositories tbody tr").nth(24).get_by_role("link")
        opener.scroll_into_view_if_needed()
        opener.click()
        heading = page.locator("#panel-branches h2")
        expect(heading).to_contain_text("acme-corp/")
        expect(heading).to_be_focused()
        assert in_view(page, heading)
        assert in_view(page, opener)  # the list stays where it was


@pytest.mark.parametrize(
    ("integration_id", "panel", "opener"),
    [
        (demo.GOOGLE_ADS_INTEGRATION_ID, "#panel-conversion-actions", "Acme APAC"),
        (
            demo.LINKEDIN_ADS_INTEGRATION_ID,
            "#panel-conversion-rules",
            "Conversion rules of Acme EU",
        ),
    ],
)
def test_a_drill_down_on_a_phone_brings_its_result_into_view(
    screens, integration_id, panel, opener
):
    with screens("phone") as context:
        page = signed_in_page(context, "ada")
        page.goto(f"{INTEGRATIONS}{integration_id}/")
        page.get_by_role("link", name=opener).click()
        heading = page.locator(f"{panel} h2")
        expect(heading).to_be_focused()
        assert in_view(page, heading)
        expect(page.locator(f"{panel} tbody tr").first).to_be_visible()


# Elements in a card or panel whose box runs past the card's right edge.
PAST_THE_EDGE = """() => [...document.querySelectorAll("main .card *, main .panel *")]
  .filter((element) => element.getBoundingClientRect().right
    > element.closest(".card, .panel").getBoundingClientRect().right + 1)
  .map((element) => element.textContent.trim().slice(0, 40))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_azure_endpoint_stays_inside_its_card_on_the_key_page(screens, width):
    with screens(width) as context:
        page = signed_in_page(context, "ada")
        page.goto(f"/sandbox/keys/{demo.KEY_AZURE}/")
        expect(page.get_by_text("https://acme-eu.openai.azure.com/")).to_be_visible()
        assert page.evaluate(PAST_THE_EDGE) == []


def test_a_row_menu_closes_on_escape_and_on_a_click_elsewhere(screens):
    with screens("desktop") as context:
        page = signed_in_page(context, "ada")
        page.goto("/sandbox/keys/")
        menu = page.get_by_label("More actions for Staging OpenAI")
        menu.click()
        edit = page.locator("details[open]").get_by_role("link", name="Edit")
        expect(edit).to_be_visible()
        page.keyboard.press("Escape")
        expect(edit).to_be_hidden()
        menu.click()
        expect(edit).to_be_visible()
        page.get_by_role("heading", name="LLM provider keys").click()
        expect(edit).to_be_hidden()


def test_the_phone_header_stays_compact_on_a_short_page(screens):
    with screens("phone") as context:
        page = signed_in_page(context, "ada")
        page.goto(f"{INTEGRATIONS}{demo.GITHUB_INTEGRATION_ID}/no-such-list/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        header = page.get_by_role("banner").bounding_box()
        assert header["height"] < 240, "the header grew to fill the screen"


def test_without_javascript_a_drill_down_on_a_phone_lands_on_its_result(
    browser, live_server, admin
):
    with browsing(browser, live_server.url, "phone", "light", java_script_enabled=False) as context:
        page = signed_in_page(context, "ada")
        page.goto(f"{INTEGRATIONS}{demo.GITHUB_INTEGRATION_ID}/")
        page.get_by_role("link", name="Branches of acme-corp/auth-ui").click()
        page.wait_for_url("**#panel-branches")
        heading = page.get_by_role("heading", name="Branches of acme-corp/auth-ui")
        assert in_view(page, heading)
