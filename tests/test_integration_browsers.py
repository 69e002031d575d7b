"""Each integration's browser: what it reaches, paging and search, drill-downs, copy and export."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo
from adminui.web import concurrency
from tests.conftest import htmx_for, sandbox_api

GITHUB = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"
SLACK = f"/sandbox/integrations/{demo.SLACK_INTEGRATION_ID}/"
JIRA = f"/sandbox/integrations/{demo.JIRA_INTEGRATION_ID}/"
LINEAR = f"/sandbox/integrations/{demo.LINEAR_INTEGRATION_ID}/"
GOOGLE = f"/sandbox/integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}/"
LINKEDIN = f"/sandbox/integrations/{demo.LINKEDIN_ADS_INTEGRATION_ID}/"
TWILIO = f"/sandbox/integrations/{demo.TWILIO_INTEGRATION_ID}/"


def sent(sandbox, action: str) -> list[dict[str, list[str]]]:
    """The query strings of the calls the portal made to one integration action."""
    return [call.query for call in sandbox.received(rf"/{action}/?$")]


def data_ids(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split(' data-id="')[1:]]


def repositories(sandbox) -> list[dict]:
    return sandbox.state.integrations[demo.GITHUB_INTEGRATION_ID].resources["repositories"]


# --- GitHub ----------------------------------------------------------------------------------


def test_github_shows_the_first_page_of_repositories_with_the_total(viewer_client, sandbox):
    response = viewer_client.get(GITHUB)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>acme-corp</h1>" in html
    first = repositories(sandbox)[0]
    assert first["full_name"] in html
    assert "1–30 of 160" in html and "Page 1 of 6" in html
    assert sent(sandbox, "github_repos") == [{"limit": ["30"], "offset": ["0"]}]
    assert "Choose a repository to list its branches." in html


def test_github_pages_with_limit_and_offset(viewer_client, sandbox):
    html = viewer_client.get(GITHUB, {"page": 3}).content.decode()
    assert sent(sandbox, "github_repos")[-1] == {"limit": ["30"], "offset": ["60"]}
    assert "61–90 of 160" in html
    assert repositories(sandbox)[60]["full_name"] in html
    assert repositories(sandbox)[59]["full_name"] not in html
    assert 'rel="next" href="/sandbox/integrations/2101/?page=4"' in html
    assert 'hx-get="/sandbox/integrations/2101/repositories/?page=4"' in html


def test_github_searches_repositories_through_posthog(viewer_client, sandbox):
    html = viewer_client.get(GITHUB, {"q": "gateway"}).content.decode()
    assert sent(sandbox, "github_repos")[-1]["search"] == ["gateway"]
    matching = [r["full_name"] for r in repositories(sandbox) if "gateway" in r["full_name"]]
    assert matching and all(name in html for name in matching)
    assert f"of {len(matching)}" in html
    html = viewer_client.get(GITHUB, {"q": "no-such-repository"}).content.decode()
    assert "No repository matches “no-such-repository”." in html


def test_the_repository_panel_alone_answers_htmx_and_puts_the_page_in_the_address_bar(
    viewer_client,
):
    response = viewer_client.get(
        f"{GITHUB}repositories/",
        {"q": "api", "page": 1},
        headers=htmx_for("panel-repositories-results"),
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel-repositories-results"')
    assert "<html" not in html and "acme-corp/api-" in html
    assert response["HX-Push-Url"] == f"{GITHUB}?q=api&page=1"


def test_the_repository_panel_without_htmx_is_a_page_of_its_own(viewer_client):
    response = viewer_client.get(f"{GITHUB}repositories/", {"q": "api"})
    html = response.content.decode()
    assert "<html" in html and "<h1>Repositories</h1>" in html
    assert f'<a href="{GITHUB}">acme-corp</a>' in html
    assert "acme-corp/api-" in html


def test_choosing_a_repository_lists_its_branches_next_to_the_repositories(viewer_client, sandbox):
    repository = repositories(sandbox)[0]
    response = viewer_client.get(GITHUB, {"repo": repository["full_name"]})
    html = response.content.decode()
    assert sent(sandbox, "github_branches")[-1] == {
        "repo": [repository["full_name"]],
        "limit": ["100"],
        "offset": ["0"],
    }
    branches = demo.github_branches(repository)
    assert all(f'data-id="{branch}"' in html for branch in branches)
    assert (
        f'{repository["default_branch"]}</span> <span class="tag tag-info">Default</span>' in html
    )
    assert ' aria-current="true"' in html  # the chosen repository is marked


def test_choosing_a_repository_with_htmx_re_renders_the_whole_browser(viewer_client, sandbox):
    repository = repositories(sandbox)[5]
    response = viewer_client.get(
        GITHUB, {"repo": repository["full_name"]}, headers=htmx_for("browser")
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="browser"')
    assert "<html" not in html
    assert 'id="panel-repositories"' in html and 'id="panel-branches"' in html


def test_the_branch_panel_answers_htmx_on_its_own(viewer_client, sandbox):
    repository = repositories(sandbox)[0]
    response = viewer_client.get(
        f"{GITHUB}branches/",
        {"repo": repository["full_name"]},
        headers=htmx_for("panel-branches-results"),
    )
    assert response.content.decode().lstrip().startswith('<div id="panel-branches-results"')


def test_an_older_posthog_that_sends_only_repositories_is_paged_and_searched_here(
    viewer_client, sandbox
):
    everything = {"repositories": repositories(sandbox)}
    sandbox.faults.add(r"/github_repos", status=200, body=everything)
    html = viewer_client.get(GITHUB, {"page": 2}).content.decode()
    assert "31–60 of 160" in html
    assert repositories(sandbox)[30]["full_name"] in html
    assert repositories(sandbox)[0]["full_name"] not in html
    html = viewer_client.get(GITHUB, {"q": "gateway"}).content.decode()
    matching = [r for r in repositories(sandbox) if "gateway" in r["full_name"]]
    assert f"1–{len(matching)} of {len(matching)}" in html


def test_a_posthog_without_total_still_pages_by_has_more(viewer_client, sandbox):
    page = {"repositories": repositories(sandbox)[:30], "has_more": True}
    sandbox.faults.add(r"/github_repos", status=200, body=page)
    html = viewer_client.get(GITHUB).content.decode()
    assert "1–30</span>" in html and "of 160" not in html
    assert "Page 1</span>" in html and 'rel="next"' in html


def test_repositories_export_every_page_as_csv_and_json(viewer_client, sandbox):
    response = viewer_client.get(f"{GITHUB}repositories/export.csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="adminui-sandbox-integration-2101-repositories.csv"'
    )
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == 160
    assert table[0]["id"] == str(repositories(sandbox)[0]["id"])
    assert table[0]["full_name"] == repositories(sandbox)[0]["full_name"]
    assert {"id", "name"} <= set(table[0])
    exported = json.loads(
        viewer_client.get(f"{GITHUB}repositories/export.json", {"q": "api"}).content
    )
    names = [row["full_name"] for row in exported["repositories"]]
    assert names == [r["full_name"] for r in repositories(sandbox) if "api" in r["full_name"]]


def test_each_list_has_a_copy_button_for_javascript_and_ids_to_copy(viewer_client, sandbox):
    html = viewer_client.get(GITHUB).content.decode()
    assert (
        '<button type="button" class="button-secondary button-small" '
        'data-copy-ids="#panel-repositories-results" hidden title="Copies the ids shown on this '
        'page; the CSV and JSON exports hold every page">Copy ids on this page</button>'
    ) in html
    assert data_ids(html)[:2] == [str(r["id"]) for r in repositories(sandbox)[:2]]


# --- Jira, Linear --------------------------------------------------------------------------


def test_jira_lists_its_projects_with_keys_and_ids(viewer_client):
    html = viewer_client.get(JIRA).content.decode()
    assert "5 Jira projects" in html
    assert (
        '<td class="mono">ENG</td><td data-label="Name">Engineering</td>'
        '<td class="mono small" data-label="Id">10000</td>'
    ) in html
    response = viewer_client.get(f"{JIRA}projects/export.csv")
    assert response.content.decode().splitlines()[:2] == ["id,name,key", "10000,Engineering,ENG"]


def test_linear_lists_its_teams(viewer_client, sandbox):
    html = viewer_client.get(LINEAR).content.decode()
    teams = sandbox.state.integrations[demo.LINEAR_INTEGRATION_ID].resources["teams"]
    assert "5 Linear teams" in html
    assert data_ids(html) == [team["id"] for team in teams]
    response = viewer_client.get(f"{LINEAR}teams/", headers=htmx_for("panel-teams-results"))
    assert response.content.decode().lstrip().startswith('<div id="panel-teams-results"')


# --- Slack ---------------------------------------------------------------------------------


def test_slack_lists_channels_a_page_at_a_time(viewer_client, sandbox):
    channels = sandbox.state.integrations[demo.SLACK_INTEGRATION_ID].resources["channels"]
    html = viewer_client.get(SLACK).content.decode()
    assert sent(sandbox, "channels")[-1] == {"limit": ["50"], "offset": ["0"]}
    assert data_ids(html) == [c["id"] for c in channels[:50]]
    assert "1–50</span>" in html and 'rel="next"' in html
    assert "PostHog fetched this list" in html
    html = viewer_client.get(SLACK, {"page": 2}).content.decode()
    assert sent(sandbox, "channels")[-1] == {"limit": ["50"], "offset": ["50"]}
    assert data_ids(html) == [c["id"] for c in channels[50:100]]
    assert 'rel="prev"' in html


def test_slack_searches_channels(viewer_client, sandbox):
    html = viewer_client.get(SLACK, {"q": "eng-"}).content.decode()
    assert sent(sandbox, "channels")[-1]["search"] == ["eng-"]
    assert "#eng-backend" in html and "#general" not in html
    assert 'rel="next"' not in html


def test_slack_marks_private_and_shared_channels(viewer_client):
    html = viewer_client.get(SLACK, {"q": "finance"}).content.decode()
    assert 'finance <span class="tag">Private</span>' in html
    html = viewer_client.get(SLACK, {"q": "acme-x"}).content.decode()
    assert '<span class="tag tag-info">Shared</span>' in html


def test_the_channel_list_says_why_a_channel_may_be_missing(viewer_client):
    html = viewer_client.get(SLACK).content.decode()
    note = html[html.index("A channel missing?") :]
    assert "only to the person who connected this Slack workspace (Jane)" in note
    assert "Archived channels are left out." in note


def test_with_another_users_key_private_channels_are_missing(viewer_client, sandbox, settings):
    sandbox.add_api_key("phx_omars_key", ["*"], owner=demo.OMAR)
    settings.POSTHOG_PERSONAL_API_KEY = "phx_omars_key"
    html = viewer_client.get(SLACK, {"q": "finance"}).content.decode()
    assert "No channel matches “finance”." in html
    assert "PRIVATE_CHANNEL_WITHOUT_ACCESS" not in html


def test_slack_channels_panel_answers_htmx(viewer_client):
    response = viewer_client.get(
        f"{SLACK}channels/", {"q": "ai"}, headers=htmx_for("panel-channels-results")
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel-channels-results"')
    assert "#ai-evals" in html
    assert response["HX-Push-Url"] == f"{SLACK}?q=ai"


# --- Google Ads ----------------------------------------------------------------------------


@pytest.mark.usefixtures("older_posthog")
def test_google_ads_shows_accounts_as_a_tree_of_managers_and_clients(viewer_client):
    html = viewer_client.get(GOOGLE).content.decode()
    tree = html[html.index('<ul class="account-tree">') :]
    holdings, northwind = tree.index("Acme Holdings (MCC)"), tree.index("Northwind Agency (MCC)")
    assert holdings < tree.index("Acme US") < tree.index("Acme APAC") < northwind
    assert northwind < tree.index("Acme Retargeting")
    assert '<li class="depth-1"><span class="account" data-id="2345678901">' in tree
    assert '<li class="depth-2"><span class="account" data-id="5678901234">' in tree
    assert tree.count('<span class="tag tag-info">Manager</span>') == 3
    assert "Choose an account to list its conversion actions." in html


@pytest.mark.usefixtures("older_posthog")
def test_choosing_a_google_ads_account_lists_its_conversion_actions(viewer_client, sandbox):
    html = viewer_client.get(GOOGLE, {"customer": "2345678901", "parent": "1234567890"}).content
    html = html.decode()
    assert sent(sandbox, "google_conversion_actions") == [
        {"customerId": ["2345678901"], "parentId": ["1234567890"]}
    ]
    actions = sandbox.state.integrations[demo.GOOGLE_ADS_INTEGRATION_ID].resources[
        "conversion_actions"
    ]["2345678901"]
    for action in actions:
        assert f'<tr data-id="{action["id"]}"><td>{action["name"]}</td>' in html
        assert action["resourceName"] in html
    assert 'aria-current="true">Acme US</a>' in html


@pytest.mark.usefixtures("older_posthog")
def test_the_chosen_account_is_named_in_the_heading(viewer_client):
    google = viewer_client.get(GOOGLE, {"customer": "2345678901", "parent": "1234567890"})
    assert (
        'Conversion actions of Acme US <span class="mono small muted">2345678901</span></h2>'
        in google.content.decode()
    )
    linkedin = viewer_client.get(LINKEDIN, {"account": "508912377"}).content.decode()
    assert 'rules of Acme — Demand gen <span class="mono small muted">508912377' in linkedin


@pytest.mark.usefixtures("older_posthog")
def test_an_account_the_list_does_not_have_is_headed_by_its_id(viewer_client):
    html = viewer_client.get(GOOGLE, {"customer": "9999999999"}).content.decode()
    assert 'Conversion actions of <span class="mono">9999999999</span></h2>' in html


@pytest.mark.usefixtures("older_posthog")
def test_the_account_links_carry_the_manager_as_parent(viewer_client):
    html = viewer_client.get(GOOGLE).content.decode()
    # Without JavaScript the link goes straight to the result (#panel-...).
    assert (
        f'href="{GOOGLE}?customer=8901234567&amp;parent=7890123456#panel-conversion-actions"'
        in html
    )
    assert 'hx-target="#browser"' in html


@pytest.mark.usefixtures("older_posthog")
def test_a_manager_account_explains_where_conversion_actions_live(viewer_client):
    html = viewer_client.get(GOOGLE, {"customer": "1234567890", "parent": "1234567890"}).content
    assert "Manager accounts usually have none" in html.decode()


@pytest.mark.usefixtures("older_posthog")
def test_conversion_actions_answer_htmx_and_export(viewer_client):
    params = {"customer": "3456789012", "parent": "1234567890"}
    response = viewer_client.get(
        f"{GOOGLE}conversion-actions/", params, headers=htmx_for("panel-conversion-actions-results")
    )
    assert (
        response.content.decode().lstrip().startswith('<div id="panel-conversion-actions-results"')
    )
    exported = json.loads(
        viewer_client.get(f"{GOOGLE}conversion-actions/export.json", params).content
    )
    assert exported["conversion-actions"] and {"id", "name", "resource_name"} == set(
        exported["conversion-actions"][0]
    )


def test_exporting_conversion_actions_needs_an_account(viewer_client):
    assert viewer_client.get(f"{GOOGLE}conversion-actions/export.csv").status_code == 404


# --- LinkedIn Ads --------------------------------------------------------------------------


@pytest.mark.usefixtures("older_posthog")
def test_linkedin_lists_ad_accounts_and_an_accounts_conversion_rules(viewer_client, sandbox):
    html = viewer_client.get(LINKEDIN).content.decode()
    assert "Acme — Brand" in html and "urn:li:organization:10453921" in html
    assert "Choose an ad account to list its conversion rules." in html
    assert f'href="{LINKEDIN}?account=508912377#panel-conversion-rules"' in html
    html = viewer_client.get(LINKEDIN, {"account": "508912377"}).content.decode()
    assert sent(sandbox, "linkedin_ads_conversion_rules") == [{"accountId": ["508912377"]}]
    assert "Demo request" in html and 'data-id="18240078"' in html
    assert '<tr data-id="508912377" aria-current="true">' in html


# --- Twilio ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("older_posthog")
def test_twilio_lists_phone_numbers_and_when_they_were_refreshed(viewer_client, sandbox):
    html = viewer_client.get(TWILIO).content.decode()
    assert "+14155550123" in html and "Support line (UK)" in html
    assert "Last refreshed: <time" in html
    assert "force_refresh" not in sent(sandbox, "twilio_phone_numbers")[-1]


@pytest.mark.usefixtures("older_posthog")
def test_refresh_asks_twilio_again_and_htmx_gets_the_fresh_list(viewer_client, sandbox):
    response = viewer_client.post(f"{TWILIO}phone-numbers/refresh/", headers=htmx_for("x"))
    html = response.content.decode()
    assert sent(sandbox, "twilio_phone_numbers")[-1] == {"force_refresh": ["true"]}
    assert html.lstrip().startswith('<div id="panel-phone-numbers-results"')
    assert "PostHog fetched the numbers from Twilio again." in html
    assert "(0\xa0minutes ago)" in html


@pytest.mark.usefixtures("older_posthog")
def test_refresh_without_javascript_redirects_back_with_a_message(viewer_client, sandbox):
    response = viewer_client.post(f"{TWILIO}phone-numbers/refresh/", follow=True)
    assert response.redirect_chain == [(TWILIO, 302)]
    assert "PostHog fetched the phone numbers from Twilio again." in response.content.decode()


def test_refresh_is_a_post(viewer_client):
    assert viewer_client.get(f"{TWILIO}phone-numbers/refresh/").status_code == 405


# --- Pages in general --------------------------------------------------------------------------


def test_the_integration_page_shows_its_configuration_and_a_link_to_posthog(viewer_client):
    html = viewer_client.get(GITHUB).content.decode()
    assert '<dt>installation_id</dt><dd class="mono small">48151623</dd>' in html
    assert "http://127.0.0.1" in html and "/project/4242/settings/project-integrations" in html


def test_an_integration_of_a_kind_without_a_browser_says_so(viewer_client, sandbox):
    from datetime import UTC, datetime

    from adminui.sandbox.state import Integration

    sandbox.state.integrations[3100] = Integration(
        3100, "hubspot", "hub-1", {}, datetime.now(UTC), None
    )
    html = viewer_client.get("/sandbox/integrations/3100/").content.decode()
    assert "Nothing to browse" in html and "HubSpot" in html


def test_an_unknown_list_or_integration_is_not_found(viewer_client):
    assert viewer_client.get(f"{GITHUB}no-such-list/").status_code == 404
    assert viewer_client.get("/sandbox/integrations/999999/").status_code == 404


# --- GitHub: teams, and reading the repositories again ---------------------------------------


def test_github_lists_the_organizations_teams(viewer_client, sandbox):
    html = viewer_client.get(GITHUB).content.decode()
    teams = html[html.index('id="panel-github-teams"') :]
    assert "Design Systems" in teams and "design-systems" in teams
    assert sent(sandbox, "github_teams")[-1] == {"limit": ["30"], "offset": ["0"]}
    rows = list(
        csv.DictReader(
            io.StringIO(viewer_client.get(f"{GITHUB}github-teams/export.csv").content.decode())
        )
    )
    assert [row["slug"] for row in rows][:2] == ["ai-evals", "backend"]


def test_an_editor_can_ask_posthog_to_read_the_repositories_from_github_again(
    editor_client, sandbox
):
    assert b"Refresh from GitHub" in editor_client.get(GITHUB).content
    response = editor_client.post(f"{GITHUB}repositories/refresh/", headers=htmx_for("x"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "PostHog read the repositories again." in html
    assert "1–30 of 160" in html
    assert len(sandbox.received(r"/github_repos/refresh/$", "POST")) == 1
    event = AuditEvent.objects.get(action="integration.refresh_repositories")
    assert event.outcome == AuditEvent.Outcome.SUCCESS


def test_the_refresh_keeps_the_requests_own_database_connection_open(editor_client, monkeypatch):
    """It calls PostHog on the request's thread: closing that thread's connections there (as
    each of gather's threads does for its own) broke the rest of the request on PostgreSQL."""
    closed_on = []
    monkeypatch.setattr(
        concurrency.connections, "close_all", lambda: closed_on.append(threading.get_ident())
    )
    response = editor_client.post(f"{GITHUB}repositories/refresh/", headers=htmx_for("x"))
    assert response.status_code == 200
    assert threading.get_ident() not in closed_on


def test_without_javascript_the_refresh_redirects_back_with_a_message(editor_client):
    response = editor_client.post(f"{GITHUB}repositories/refresh/", follow=True)
    assert response.redirect_chain[-1][0] == GITHUB
    assert "PostHog read the repositories from GitHub again." in response.content.decode()


def test_a_viewer_cannot_refresh_and_is_not_offered_it(viewer_client, sandbox):
    assert b"Refresh from GitHub" not in viewer_client.get(GITHUB).content
    assert viewer_client.post(f"{GITHUB}repositories/refresh/").status_code == 403
    assert sandbox.received(r"/github_repos/refresh/$") == []


def test_posthogs_refresh_throttle_says_when_to_try_again(editor_client, sandbox):
    for _ in range(10):  # PostHog's budget: 10 a minute for the whole project
        sandbox_api(
            sandbox, "POST", f"integrations/{demo.GITHUB_INTEGRATION_ID}/github_repos/refresh/"
        )
    html = editor_client.post(f"{GITHUB}repositories/refresh/", headers=htmx_for("x")).content
    assert b"Rate limited while listing repositories" in html
    assert b"You can try again in" in html
