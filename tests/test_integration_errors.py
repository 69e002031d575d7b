"""What goes wrong in a browser panel shows in that panel, clearly; the rest of the page works."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adminui.sandbox import demo
from adminui.sandbox.state import Integration
from tests.conftest import HTMX

GITHUB = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"
SLACK = f"/sandbox/integrations/{demo.SLACK_INTEGRATION_ID}/"
GOOGLE = f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/"
BROKEN_LINEAR = f"/sandbox/integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/"


def panel(html: str, slug: str) -> str:
    """The HTML of one panel of a page."""
    start = html.index(f'id="panel-{slug}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- Wrong kind ------------------------------------------------------------------------------


def test_a_wrong_kind_answered_with_posthogs_400_says_so_in_the_panel(viewer_client, sandbox):
    # PostHog's channels action takes only `slack`; this older kind is shown with channels.
    sandbox.state.integrations[3200] = Integration(
        3200, "slack-posthog-code", "T99", {"team": {"name": "Acme Code"}}, datetime.now(UTC), None
    )
    response = viewer_client.get("/sandbox/integrations/3200/")
    assert response.status_code == 200
    html = panel(response.content.decode(), "channels")
    assert "PostHog does not list channels for this kind of integration" in html
    assert "channels endpoint is only supported for Slack integrations" in html


def test_a_wrong_kind_on_a_panel_url_says_so_with_and_without_htmx(viewer_client):
    url = f"{SLACK}repositories/"
    html = viewer_client.get(url, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="panel-repositories-results"')
    assert "PostHog does not list repositories for this kind of integration" in html
    assert "github_repos endpoint is only supported for GitHub integrations" in html
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert "<h1>Repositories</h1>" in response.content.decode()
    assert "only supported for GitHub integrations" in response.content.decode()


@pytest.mark.usefixtures("older_posthog")
def test_a_wrong_kind_answered_with_posthogs_500_is_explained(viewer_client):
    for slug, kind in [
        ("google-accounts", "Google Ads"),
        ("linkedin-accounts", "LinkedIn Ads"),
        ("phone-numbers", "Twilio"),
    ]:
        response = viewer_client.get(f"{GITHUB}{slug}/", headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "PostHog failed with an internal error (HTTP 500)" in html
        assert f"when the integration is not a {kind} one" in html
        assert ">Try again</a>" in html


# --- Token refresh failure -----------------------------------------------------------------


def test_a_token_refresh_failure_asks_for_reconnecting_in_posthog(viewer_client, sandbox):
    response = viewer_client.get(BROKEN_LINEAR)
    html = response.content.decode()
    assert response.status_code == 200
    assert "PostHog could not refresh this integration's token." in html  # the page's banner
    teams = panel(html, "teams")
    assert "This integration needs reconnecting" in teams
    assert "could not be refreshed" in teams
    assert f'href="{sandbox.url}/project/4242/settings/project-integrations"' in teams
    assert ">Try again</a>" not in teams


@pytest.mark.usefixtures("older_posthog")
def test_a_google_ads_token_failure_also_asks_for_reconnecting(viewer_client, sandbox):
    sandbox.state.integrations[demo.GOOGLE_ADS_INTEGRATION_ID].errors = "TOKEN_REFRESH_FAILED"
    html = viewer_client.get(GOOGLE).content.decode()
    assert "This integration needs reconnecting" in panel(html, "google-accounts")
    assert "Needs reconnecting" in html


# --- Rate limits and timeouts ----------------------------------------------------------------


def test_githubs_rate_limit_shows_when_to_try_again(viewer_client, sandbox):
    sandbox.faults.github_rate_limit(demo.GITHUB_INTEGRATION_ID, retry_after=30)
    response = viewer_client.get(GITHUB)
    assert response.status_code == 200
    html = panel(response.content.decode(), "repositories")
    assert "Rate limited while listing repositories" in html
    assert "GitHub API rate limit exceeded" in html
    assert "You can try again in 30 seconds." in html
    assert ">Try again</a>" in html
    assert "<h1>acme-corp</h1>" in response.content.decode()  # the rest of the page is there


def test_the_rate_limit_in_a_panel_reload_answers_htmx_with_200(viewer_client, sandbox):
    sandbox.faults.github_rate_limit(demo.GITHUB_INTEGRATION_ID, retry_after=45)
    response = viewer_client.get(f"{GITHUB}repositories/", {"page": 2}, headers=HTMX)
    assert response.status_code == 200
    assert "You can try again in 45 seconds." in response.content.decode()


@pytest.mark.usefixtures("older_posthog")
def test_a_timeout_in_one_panel_leaves_the_other_working(viewer_client, sandbox, settings):
    settings.POSTHOG_READ_TIMEOUT = 0.3
    sandbox.faults.add(r"/google_conversion_actions", latency=1.0)
    response = viewer_client.get(GOOGLE, {"customer": "2345678901", "parent": "1234567890"})
    html = response.content.decode()
    assert response.status_code == 200
    conversions = panel(html, "conversion-actions")
    assert "PostHog did not list conversion actions in time" in conversions
    assert "did not answer within 0.3 seconds" in conversions
    assert "Acme Holdings (MCC)" in panel(html, "google-accounts")


def test_a_failing_drill_down_leaves_the_list_beside_it_working(viewer_client, sandbox):
    sandbox.faults.add(r"/github_branches", status=503)
    repository = sandbox.state.integrations[demo.GITHUB_INTEGRATION_ID].resources["repositories"][0]
    html = viewer_client.get(GITHUB, {"repo": repository["full_name"]}).content.decode()
    assert "Could not list branches" in panel(html, "branches")
    assert "HTTP 503" in panel(html, "branches")
    assert "1–30 of 160" in panel(html, "repositories")


def test_a_non_json_answer_from_a_proxy_is_a_clear_panel_message(viewer_client, sandbox):
    sandbox.faults.add(r"/jira_projects", non_json=True)
    html = viewer_client.get(f"/sandbox/integrations/{demo.JIRA_INTEGRATION_ID}/").content
    assert "Could not list projects" in panel(html.decode(), "projects")


# --- The page itself -------------------------------------------------------------------------


def test_an_integration_posthog_cannot_find_is_a_404_page(viewer_client):
    response = viewer_client.get("/sandbox/integrations/424242/")
    assert response.status_code == 404
    response = viewer_client.get("/sandbox/integrations/424242/", headers=HTMX)
    assert response.status_code == 404 and b"<html" not in response.content


def test_an_export_that_fails_upstream_is_an_error_page_not_a_broken_file(viewer_client, sandbox):
    sandbox.faults.github_rate_limit(demo.GITHUB_INTEGRATION_ID, retry_after=30)
    response = viewer_client.get(f"{GITHUB}repositories/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"GitHub API rate limit exceeded" in response.content
