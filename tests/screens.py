"""Every screen of the portal, for the browser checks that visit them all (accessibility, layout,
screenshots): where each one is, who sees it, and the data it needs to show something."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.browser import ARTIFACTS, log_in
from tests.conftest import PASSWORD

WIDTHS = {"desktop": 1280, "phone": 390}
THEMES = ("light", "dark")

KEYS = "/sandbox/keys/"
EVALUATION = f"/sandbox/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/"
INTEGRATIONS = "/sandbox/integrations/"


@dataclass(frozen=True)
class Screen:
    name: str  # also the screenshot's file name
    path: str
    who: str = "ada"  # the persona signed in ("" for nobody)
    press: str = ""  # a key pressed once the screen is shown


def integration(name: str, integration_id: int, query: str = "") -> Screen:
    return Screen(f"integration-{name}", f"{INTEGRATIONS}{integration_id}/{query}")


SIGNED_IN = [
    Screen("overview", "/sandbox/"),
    Screen("shortcut-sheet", "/sandbox/", press="?"),
    Screen("keys", KEYS),
    Screen("key-azure", f"{KEYS}{demo.KEY_AZURE}/"),
    Screen("key-add", f"{KEYS}add/"),
    Screen("key-edit", f"{KEYS}{demo.KEY_AZURE}/edit/"),
    Screen("key-rotate", f"{KEYS}{demo.ACTIVE_KEY_ID}/rotate/"),
    Screen("key-delete-active", f"{KEYS}{demo.ACTIVE_KEY_ID}/delete/"),
    Screen("models", "/sandbox/models/"),
    Screen("evaluations", "/sandbox/evaluations/"),
    Screen("evaluation", EVALUATION),
    Screen("summary-history", f"{EVALUATION}summaries/"),
    Screen("integrations", INTEGRATIONS),
    integration("github", demo.GITHUB_INTEGRATION_ID, "?repo=acme-corp%2Fweb-service"),
    integration("slack", demo.SLACK_INTEGRATION_ID),
    integration("jira", demo.JIRA_INTEGRATION_ID),
    integration("linear", demo.LINEAR_INTEGRATION_ID),
    integration("linear-broken", demo.BROKEN_LINEAR_INTEGRATION_ID),
    integration(
        "google-ads", demo.GOOGLE_ADS_INTEGRATION_ID, "?customer=2345678901&parent=1234567890"
    ),
    integration("linkedin-ads", demo.LINKEDIN_ADS_INTEGRATION_ID, "?account=508912377"),
    integration("twilio", demo.TWILIO_INTEGRATION_ID),
    Screen("integration-connect", f"{INTEGRATIONS}connect/"),
    Screen("audit-log", "/audit/"),
    Screen("not-found", f"{INTEGRATIONS}{demo.GITHUB_INTEGRATION_ID}/no-such-list/"),
    Screen("forbidden", f"{KEYS}add/", who="vic"),
    Screen("login", "/login/", who=""),
]


def summary_screens(summaries: list[int]) -> list[Screen]:
    """The screens of stored summaries (their ids are known once the test stored them)."""
    older, newer = summaries
    return [
        Screen("summary", f"{EVALUATION}summaries/{newer}/"),
        Screen("summary-compare", f"{EVALUATION}summaries/compare/?s={older}&s={newer}"),
    ]


def add_audit_events(user) -> None:
    """What the audit log lists after a day's work: long names and what was sent included."""
    sent = {
        "name": "Production Azure OpenAI (EU West) fallback",
        "provider": "azure_openai",
        "api_key": "[redacted]",
        "azure_endpoint": "https://acme-production-eu-west-openai.openai.azure.com/",
        "api_version": "2024-10-21",
    }
    for action, outcome in [
        ("provider_key.create", "success"),
        ("provider_key.update", "success"),
        ("evaluation_config.set_active_key", "failure"),
    ]:
        AuditEvent.objects.create(
            actor=user,
            actor_name=user.username,
            environment="sandbox",
            action=action,
            target_type="provider_key",
            target_id=demo.KEY_AZURE,
            target_label=sent["name"],
            outcome=outcome,
            error="PostHog refused: the key could not be validated" if outcome == "failure" else "",
            details=sent,
        )


@contextmanager
def browsing(browser, base_url: str, width: str, theme: str, **options) -> Iterator:
    """A fresh browser context at one width and colour scheme."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": WIDTHS[width], "height": 900},
        color_scheme=theme,
        **options,
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def signed_in_page(context, who: str):
    page = context.new_page()
    if who:
        log_in(page, who, PASSWORD)
    return page


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
