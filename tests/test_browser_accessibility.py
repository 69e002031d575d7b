"""In a real Chromium: axe-core finds no serious or critical problem on any screen, light and
dark, at desktop and phone widths; each screen's screenshot lands in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens import (
    SIGNED_IN,
    THEMES,
    WIDTHS,
    Screen,
    add_audit_events,
    artifact,
    browsing,
    signed_in_page,
    summary_screens,
)
from tests.summary_helpers import stored_summary

pytestmark = pytest.mark.browser

# Installed by `make test` (npm ci in tests/js, see scripts/ensure-axe.sh).
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}

# Evaluated in the page, so the portal's CSP (script-src 'self') cannot refuse it.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (make test runs npm ci in tests/js)")
    return AXE.read_text()


def problems_on(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    return [
        f"{violation['impact']} {violation['id']} at {', '.join(violation['targets'])}: "
        f"{violation['help']}"
        for violation in page.evaluate(RUN_AXE)
        if violation["impact"] in FAILING_IMPACTS
    ]


def check(page, screen: Screen, shot: str, axe_source: str) -> list[str]:
    """Open a screen, keep its screenshot, and say what axe finds wrong there."""
    page.goto(screen.path)
    page.wait_for_load_state("networkidle")  # htmx panels load after the page
    if screen.press:
        page.keyboard.press(screen.press)
    page.screenshot(path=str(artifact(shot)), full_page=True)
    return [f"{shot} ({screen.path}): {problem}" for problem in problems_on(page, axe_source)]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_screen_has_a_serious_accessibility_problem(
    browser, live_server, admin, viewer, axe_source, width, theme
):
    add_audit_events(admin)
    summaries = [stored_summary(admin).pk, stored_summary(admin, filter="fail").pk]
    screens = SIGNED_IN + summary_screens(summaries)
    found: list[str] = []
    csp_errors: list[str] = []
    for who in dict.fromkeys(screen.who for screen in screens):
        with browsing(browser, live_server.url, width, theme) as context:
            page = signed_in_page(context, who)
            page.on(
                "console",
                lambda message: (
                    "Content Security Policy" in message.text and csp_errors.append(message.text)
                ),
            )
            for screen in (screen for screen in screens if screen.who == who):
                found += check(page, screen, f"{screen.name}-{width}-{theme}", axe_source)
    print("\n".join(found))
    assert not found, f"{len(found)} serious or critical accessibility problems:\n" + "\n".join(
        found
    )
    assert not csp_errors, csp_errors
