"""Connecting an integration: PostHog's authorize redirect, or, where PostHog refuses API keys,
an explanation with a link into PostHog. Both behaviours come from the sandbox's switch."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX

URL = "/sandbox/integrations/connect/"
NEXT = "/project/4242/settings/project-integrations"


def authorize_calls(sandbox) -> list[dict[str, list[str]]]:
    return [call.query for call in sandbox.received("/integrations/authorize")]


LABELS = {
    "github": "GitHub",
    "slack": "Slack",
    "jira": "Jira",
    "linear": "Linear",
    "google-ads": "Google Ads",
    "linkedin-ads": "LinkedIn Ads",
}


@pytest.mark.usefixtures("older_posthog")
def test_the_connect_page_offers_the_kinds_the_portal_can_connect(editor_client):
    html = editor_client.get(URL).content.decode()
    for label in LABELS.values():
        assert label in html
    assert 'type="radio" name="kind" value="github"' in html
    assert f'<form method="post" action="{URL}"' in html
    assert "data-connections-refused" not in html


def test_where_posthog_refuses_api_keys_the_page_says_so_before_anyone_chooses(
    editor_client, sandbox
):
    html = editor_client.get(URL).content.decode()

    assert "This PostHog connects integrations only for a person logged in to PostHog" in html
    assert "It refuses to start connections for API keys" in html
    assert 'name="kind"' not in html and "Continue to the provider" not in html
    for kind, label in LABELS.items():
        authorize = f"/api/projects/4242/integrations/authorize/?kind={kind}&amp;next="
        assert re.search(
            rf'href="[^"]*{re.escape(authorize)}[^"]*">Connect {label} in PostHog', html
        )
    assert html.count("Unavailable here") == len(LABELS)
    assert len(authorize_calls(sandbox)) == 1  # asked once, as connecting asks
    assert not AuditEvent.objects.exists()  # asking is no connection


def test_when_posthog_cannot_say_whether_it_refuses_the_form_is_offered(editor_client, sandbox):
    sandbox.faults.add(r"/integrations/authorize", status=503, body={"detail": "Down"})

    response = editor_client.get(URL)

    assert response.status_code == 200
    assert 'type="radio" name="kind" value="github"' in response.content.decode()


@pytest.mark.usefixtures("older_posthog")
def test_connecting_follows_posthogs_redirect_to_the_provider(editor_client, sandbox):
    response = editor_client.post(URL, {"kind": "slack"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == sandbox.url
    assert location.path == "/_sandbox/oauth/slack/authorize"
    assert authorize_calls(sandbox) == [{"kind": ["slack"], "next": [NEXT]}]


@pytest.mark.usefixtures("older_posthog")
def test_github_is_connected_with_a_relative_next_path(editor_client, sandbox):
    response = editor_client.post(URL, {"kind": "github"})
    assert urlsplit(response["Location"]).path == "/_sandbox/oauth/github/authorize"
    state = parse_qs(parse_qs(urlsplit(response["Location"]).query)["state"][0])
    assert state["next"] == [NEXT]


@pytest.mark.usefixtures("older_posthog")
def test_with_htmx_the_browser_is_sent_on_with_hx_redirect(editor_client, sandbox):
    response = editor_client.post(URL, {"kind": "jira"}, headers=HTMX)
    assert response.status_code == 200
    assert urlsplit(response["HX-Redirect"]).path == "/_sandbox/oauth/jira/authorize"


@pytest.mark.usefixtures("older_posthog")
def test_starting_a_connection_is_audited(editor_client, editor):
    editor_client.post(URL, {"kind": "linear"})
    event = AuditEvent.objects.get(action="integration.authorize")
    assert event.actor == editor and event.environment == "sandbox"
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.target_type == "integration" and event.target_label == "Linear"
    assert event.details == {"kind": "linear", "next": NEXT}


def test_when_posthog_refuses_api_keys_the_portal_explains_and_links_to_posthog(
    editor_client, sandbox
):
    response = editor_client.post(URL, {"kind": "google-ads"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "PostHog connects Google Ads only for a person logged in to PostHog" in html
    authorize = (
        f"{sandbox.url}/api/projects/4242/integrations/authorize/"
        f"?kind=google-ads&amp;next=%2Fproject%2F4242%2Fsettings%2Fproject-integrations"
    )
    assert f'href="{authorize}"' in html
    assert f'href="{sandbox.url}{NEXT}"' in html
    assert "does not support personal API key access" not in html  # never the raw error
    event = AuditEvent.objects.get(action="integration.authorize")
    assert event.outcome == AuditEvent.Outcome.FAILURE


def test_with_the_switch_off_the_same_kind_connects(editor_client, sandbox):
    sandbox.switch(legacy_integration_access=True)
    assert editor_client.post(URL, {"kind": "google-ads"}).status_code == 302


def test_the_refusal_explanation_also_answers_htmx(editor_client, sandbox):
    response = editor_client.post(URL, {"kind": "slack"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="connect-form">')
    assert "PostHog connects Slack only for a person logged in to PostHog" in html


def test_a_kind_posthog_rejects_shows_on_the_form(editor_client, sandbox):
    sandbox.faults.add(
        r"/integrations/authorize",
        status=400,
        body={"type": "validation_error", "code": "invalid_input", "detail": "Kind not configured",
              "attr": None},
    )  # fmt: skip
    response = editor_client.post(URL, {"kind": "linear"})
    assert response.status_code == 200
    assert "Kind not configured" in response.content.decode()


def test_a_kind_that_is_not_offered_is_refused_before_posthog(editor_client, sandbox):
    response = editor_client.post(URL, {"kind": "nonsense"})
    assert "Choose one of these." in response.content.decode()
    response = editor_client.post(URL, {})
    assert "Choose what to connect." in response.content.decode()
    assert authorize_calls(sandbox) == []


def test_a_viewer_may_not_connect_even_by_hand(viewer_client, sandbox):
    assert viewer_client.get(URL).status_code == 403
    response = viewer_client.post(URL, {"kind": "slack"})
    assert response.status_code == 403
    assert "This needs the Editor role" in response.content.decode()
    assert authorize_calls(sandbox) == []


@pytest.mark.usefixtures("older_posthog")
def test_an_admin_may_connect(admin_client):
    assert admin_client.post(URL, {"kind": "slack"}).status_code == 302


# --- The same switch on the resource actions PostHog serves only to logged-in users ----------


@pytest.mark.parametrize(
    ("integration_id", "nouns"),
    [
        (demo.GOOGLE_ADS_INTEGRATION_ID, "Google Ads accounts and conversion actions"),
        (demo.LINKEDIN_ADS_INTEGRATION_ID, "LinkedIn ad accounts and conversion rules"),
        (demo.TWILIO_INTEGRATION_ID, "phone numbers"),
    ],
)
def test_an_integration_whose_lists_posthog_refuses_gets_one_explanation(
    viewer_client, sandbox, integration_id, nouns
):
    response = viewer_client.get(f"/sandbox/integrations/{integration_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("only to people logged in to PostHog") == 1
    assert f"PostHog shows {nouns} only to people logged in to PostHog" in html
    assert f'href="{sandbox.url}{NEXT}" target="_blank"' in html
    assert "does not support personal API key access" not in html
    assert ">Try again</a>" not in html
    assert "Choose an account" not in html and "Choose an ad account" not in html
    assert "Refresh from Twilio" not in html


def test_an_account_list_that_fails_otherwise_asks_for_no_choice(viewer_client, older_posthog):
    older_posthog.faults.add(r"/google_accessible_accounts", status=503)
    html = viewer_client.get(f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/").content
    assert b"Nothing to choose from: PostHog did not list Google Ads accounts." in html
    assert b"Choose an account" not in html
    assert b">Try again</a>" in html  # a failure that may pass, unlike a refusal


def test_refused_drill_downs_explain_too(viewer_client, sandbox):
    response = viewer_client.get(
        f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/conversion-actions/",
        {"customer": "2345678901", "parent": "1234567890"},
        headers=HTMX,
    )
    assert "PostHog shows conversion actions only to people logged in to PostHog" in (
        response.content.decode()
    )


def test_a_refused_twilio_refresh_offers_no_refresh_button(viewer_client):
    response = viewer_client.post(
        f"/sandbox/integrations/{demo.TWILIO_INTEGRATION_ID}/phone-numbers/refresh/",
        headers=HTMX,
    )
    html = response.content.decode()
    assert "PostHog shows phone numbers only to people logged in to PostHog" in html
    assert "Refresh from Twilio" not in html


def test_lists_posthog_serves_to_api_keys_still_work_with_the_switch_on(viewer_client, sandbox):
    html = viewer_client.get(f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/").content
    assert b"1\xe2\x80\x9330 of 160" in html
    html = viewer_client.get(f"/sandbox/integrations/{demo.JIRA_INTEGRATION_ID}/").content
    assert b"Engineering" in html


def test_with_the_switch_off_the_google_ads_accounts_load(viewer_client, sandbox):
    sandbox.switch(legacy_integration_access=True)
    html = viewer_client.get(f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/").content
    assert b"Acme Holdings (MCC)" in html


def redirect_to(sandbox, location: str) -> None:
    """PostHog's authorize answers with this Location (as a compromised PostHog could)."""
    headers = {"Location": location}
    sandbox.faults.add("/integrations/authorize", status=302, body="", headers=headers)


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example/oauth/v2/authorize",
        "https://slack.com.evil.example/oauth/v2/authorize",
        "https://slack.com@evil.example/oauth/v2/authorize",
        "https://evil.example\\@slack.com/oauth/v2/authorize",
        "http://slack.com/oauth/v2/authorize",
        "https://slack.com:8443/oauth/v2/authorize",
        "https://github.com/apps/posthog/installations/new",  # another kind's provider
        "javascript:alert(1)",
        "//evil.example/",
        "https://slack.com:abc/oauth/v2/authorize",
    ],
)
def test_a_destination_posthog_cannot_legitimately_give_is_refused(
    editor_client, sandbox, location
):
    redirect_to(sandbox, location)
    response = editor_client.post(URL, {"kind": "slack"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "which is not where it connects this kind (slack.com)" in html
    assert "the portal did not follow it" in html
    assert re.search(r'<input type="radio" name="kind" value="slack"[^>]* checked>', html)


def test_a_refused_destination_is_refused_for_htmx_too(editor_client, sandbox):
    redirect_to(sandbox, "https://evil.example/")
    response = editor_client.post(URL, {"kind": "jira"}, headers=HTMX)
    assert "HX-Redirect" not in response
    assert "not where it connects this kind (auth.atlassian.com)" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "location"),
    [
        ("slack", "https://slack.com/oauth/v2/authorize?client_id=1&state=x"),
        ("github", "https://github.com/apps/posthog/installations/new?state=x"),
        ("jira", "https://auth.atlassian.com/authorize?client_id=1"),
        ("linear", "https://linear.app/oauth/authorize?client_id=1"),
        ("google-ads", "https://accounts.google.com/o/oauth2/v2/auth?client_id=1"),
        ("linkedin-ads", "https://www.linkedin.com/oauth/v2/authorization?client_id=1"),
    ],
)
def test_each_kinds_real_provider_is_followed(editor_client, sandbox, kind, location):
    redirect_to(sandbox, location)
    response = editor_client.post(URL, {"kind": kind})
    assert response.status_code == 302 and response["Location"] == location


def test_the_connect_page_may_post_on_to_posthog_and_the_providers_only(editor_client, sandbox):
    csp = editor_client.get(URL)["Content-Security-Policy"]
    form_action = next(d for d in csp.split("; ") if d.startswith("form-action"))
    assert form_action.split() == [
        "form-action",
        "'self'",
        sandbox.url,
        "https://accounts.google.com",
        "https://auth.atlassian.com",
        "https://github.com",
        "https://linear.app",
        "https://slack.com",
        "https://www.linkedin.com",
    ]
