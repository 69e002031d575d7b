"""Every "... in PostHog" link on every screen has a destination: against the sandbox (demo mode)
it lands on a stand-in HTML page for a PostHog page (never a JSON 404), and its path is one the
stand-ins know from PostHog's web app, so against a real PostHog it lands on that page."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
import requests

from adminui.models import SummaryRequest
from adminui.sandbox import demo
from tests.summary_helpers import stored_summary

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
INTEGRATIONS = [
    demo.GITHUB_INTEGRATION_ID,
    demo.SLACK_INTEGRATION_ID,
    demo.JIRA_INTEGRATION_ID,
    demo.LINEAR_INTEGRATION_ID,
    demo.GOOGLE_ADS_INTEGRATION_ID,
    demo.LINKEDIN_ADS_INTEGRATION_ID,
    demo.TWILIO_INTEGRATION_ID,
    demo.BROKEN_LINEAR_INTEGRATION_ID,
]
REFUSED_CONNECTIONS = ["google-ads", "linkedin-ads", "slack", "github"]


def screens(client, editor) -> list[str]:
    """Every screen a person reaches, with a stored summary whose examples link to generations."""
    summary = stored_summary(editor)
    assert summary.succeeded
    urls = ["/sandbox/", "/sandbox/keys/", "/sandbox/models/", "/sandbox/evaluations/"]
    urls += [f"/sandbox/keys/{key_id}/" for key_id in (demo.KEY_PRODUCTION_OPENAI, demo.KEY_AZURE)]
    urls += [f"/sandbox/evaluations/{evaluation_id}/" for evaluation_id in demo_evaluations()]
    urls += [f"/sandbox/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/summaries/{summary.pk}/"]
    # A summary PostHog refused for want of the organization's consent links to its settings.
    refused = SummaryRequest.objects.create(
        requested_by_name=editor.username,
        environment="sandbox",
        evaluation_id=demo.EVAL_TONE,
        status=SummaryRequest.Status.FAILED,
        error_kind="not_approved",
        error_message="AI data processing must be approved by your organization.",
    )
    urls += [f"/sandbox/evaluations/{demo.EVAL_TONE}/summaries/{refused.pk}/"]
    urls += ["/sandbox/integrations/", "/sandbox/integrations/connect/"]
    urls += [f"/sandbox/integrations/{integration_id}/" for integration_id in INTEGRATIONS]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    for kind in REFUSED_CONNECTIONS:
        pages.append(client.post("/sandbox/integrations/connect/", {"kind": kind}).content.decode())
    return pages


def demo_evaluations() -> list[str]:
    return [value for name, value in vars(demo).items() if name.startswith("EVAL_")]


def anchors(page: str) -> list[tuple[str, str]]:
    """(href, text) of every link."""
    found = re.findall(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, flags=re.S)
    return [
        (html.unescape(href), re.sub(r"<[^>]+>|\s+", " ", text).strip()) for href, text in found
    ]


@pytest.mark.parametrize("posthog", ["newest", "older"])
def test_every_link_into_posthog_lands_on_an_html_page_in_demo_mode(
    admin_client, editor, sandbox, posthog
):
    if posthog == "older":
        sandbox.switch(legacy_integration_access=True)
    links = {link for page in screens(admin_client, editor) for link in anchors(page)}
    for href, text in links:
        if "in PostHog" in text:
            assert href.startswith(sandbox.url), f"“{text}” leads outside PostHog: {href}"
    into_posthog = sorted({href for href, _ in links if href.startswith(sandbox.url)})
    kinds = {urlsplit(href).path.rstrip("/") for href in into_posthog}
    assert {"/project/4242/llm-analytics/generations", "/settings/organization"} <= kinds, kinds
    for href in into_posthog:
        landing = requests.get(href, headers=BROWSER, timeout=10)
        assert landing.status_code == 200, href
        assert landing.headers["Content-Type"].startswith("text/html"), href
        plain = re.sub(r"<[^>]+>", "", landing.text)
        assert "In PostHog this is" in plain or "logged-in PostHog user" in plain, href
