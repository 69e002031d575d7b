"""Integrations: the list, the authorize redirect and every per-kind read action."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from adminui.management.commands.sandbox import Command as SandboxCommand
from adminui.sandbox import demo
from tests.conftest import hog_validation_error, sandbox_api

GITHUB = f"integrations/{demo.GITHUB_INTEGRATION_ID}"
SLACK = f"integrations/{demo.SLACK_INTEGRATION_ID}"
GOOGLE = f"integrations/{demo.GOOGLE_ADS_INTEGRATION_ID}"
LINKEDIN = f"integrations/{demo.LINKEDIN_ADS_INTEGRATION_ID}"
TWILIO = f"integrations/{demo.TWILIO_INTEGRATION_ID}"
RUN_SH = Path(__file__).resolve().parents[1] / "scripts" / "run.sh"
TOKEN_REFRESH_FAILED = (
    "This integration's authentication token could not be refreshed. Please reconnect or "
    "disconnect this integration and connect a different account."
)


def get(sandbox, path: str, **params) -> requests.Response:
    return sandbox_api(sandbox, "GET", path, params=params, allow_redirects=False)


# --- List and retrieve -----------------------------------------------------------------------


def test_it_lists_integrations_oldest_first_with_display_names(sandbox):
    page = get(sandbox, "integrations/").json()

    by_kind = {item["kind"]: item for item in page["results"]}
    created = [item["created_at"] for item in page["results"]]
    assert page["count"] == 8
    assert created == sorted(created)
    assert by_kind["github"]["display_name"] == "acme-corp"
    assert by_kind["github"]["installation_status"] == "connected"
    assert by_kind["slack"]["display_name"] == "Acme"
    assert by_kind["slack"]["files_write_requestable"] is True
    assert by_kind["twilio"]["display_name"].startswith("ID: AC")
    assert all(isinstance(item["id"], int) for item in page["results"])


def test_it_filters_integrations_by_kind(sandbox):
    page = get(sandbox, "integrations/", kind="linear").json()

    assert [item["id"] for item in page["results"]] == [
        demo.LINEAR_INTEGRATION_ID,
        demo.BROKEN_LINEAR_INTEGRATION_ID,
    ]


def test_it_marks_the_integration_whose_token_failed(sandbox):
    broken = get(sandbox, f"integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/").json()

    assert broken["errors"] == "TOKEN_REFRESH_FAILED"
    assert broken["display_name"] == "Acme Labs"


@pytest.mark.parametrize("integration_id", ["999999", "slack"])
def test_it_answers_404_for_an_unknown_integration(sandbox, integration_id):
    response = get(sandbox, f"integrations/{integration_id}/")

    assert response.status_code == 404


# --- GitHub ----------------------------------------------------------------------------------


def test_github_repos_pages_through_every_repository(sandbox):
    first = get(sandbox, f"{GITHUB}/github_repos/").json()
    last = get(sandbox, f"{GITHUB}/github_repos/", offset=100).json()

    assert (len(first["repositories"]), first["has_more"], first["total"]) == (100, True, 160)
    assert (len(last["repositories"]), last["has_more"]) == (60, False)
    repository = first["repositories"][0]
    assert repository["full_name"] == f"acme-corp/{repository['name']}"
    assert {"id", "private", "default_branch", "language", "pushed_at", "archived"} <= set(
        repository
    )


def test_github_repos_searches_full_names(sandbox):
    body = get(sandbox, f"{GITHUB}/github_repos/", search="BILLING", limit=500).json()

    assert body["total"] == len(body["repositories"]) > 0
    assert all("billing" in repo["full_name"] for repo in body["repositories"])


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"limit": 0},
            hog_validation_error(
                "Ensure this value is greater than or equal to 1.", "limit", "min_value"
            ),
        ),
        (
            {"limit": 501},
            hog_validation_error(
                "Ensure this value is less than or equal to 500.", "limit", "max_value"
            ),
        ),
        ({"limit": "ten"}, hog_validation_error("A valid integer is required.", "limit")),
        (
            {"offset": -1},
            hog_validation_error(
                "Ensure this value is greater than or equal to 0.", "offset", "min_value"
            ),
        ),
    ],
)
def test_github_repos_validates_its_paging(sandbox, params, error):
    response = get(sandbox, f"{GITHUB}/github_repos/", **params)

    assert response.status_code == 400
    assert response.json() == error


def test_github_repos_refresh_answers_the_whole_list_and_is_throttled_per_project(sandbox):
    refresh = f"{GITHUB}/github_repos/refresh/"
    answers = [sandbox_api(sandbox, "POST", refresh) for _ in range(11)]

    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[0].json()["installation_status"] == "connected"
    assert len(answers[0].json()["repositories"]) == 160
    throttled = answers[10]
    assert throttled.status_code == 429
    assert throttled.json()["type"] == "throttled_error"
    assert re.fullmatch(
        r"Request was throttled\. Expected available in \d+ seconds?\.", throttled.json()["detail"]
    )
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60


def test_github_repos_refresh_needs_the_write_scope_and_a_github_integration(sandbox):
    sandbox.add_api_key("phx_reader", ["integration:read"])
    reader = {"Authorization": "Bearer phx_reader"}
    url = sandbox.api_url(f"{GITHUB}/github_repos/refresh/")
    refused = requests.post(url, headers=reader, timeout=5)
    wrong_kind = sandbox_api(sandbox, "POST", f"{SLACK}/github_repos/refresh/")

    assert refused.status_code == 403
    assert refused.json()["detail"] == "API key missing required scope 'integration:write'"
    assert wrong_kind.json() == hog_validation_error(
        "refresh_github_repos endpoint is only supported for GitHub integrations"
    )


def test_github_teams_pages_and_searches_names_and_slugs(sandbox):
    first = get(sandbox, f"{GITHUB}/github_teams/", limit=3).json()
    found = get(sandbox, f"{GITHUB}/github_teams/", search="design-sys").json()

    assert len(first["teams"]) == 3 and first["has_more"] is True
    assert set(first["teams"][0]) == {"id", "slug", "name"}
    assert [team["name"] for team in found["teams"]] == ["Design Systems"]
    assert get(sandbox, f"{GITHUB}/github_teams/", limit=501).json() == hog_validation_error(
        "Ensure this value is less than or equal to 500.", "limit", "max_value"
    )
    assert get(sandbox, f"{SLACK}/github_teams/").status_code == 500  # no kind check


def test_github_branches_lists_a_repositorys_branches(sandbox):
    repository = get(sandbox, f"{GITHUB}/github_repos/", limit=1).json()["repositories"][0]

    body = get(sandbox, f"{GITHUB}/github_branches/", repo=repository["full_name"]).json()

    assert body["default_branch"] == repository["default_branch"]
    assert repository["default_branch"] in body["branches"]
    assert body["has_more"] is False


def test_github_branches_needs_an_owner_and_repo(sandbox):
    missing = get(sandbox, f"{GITHUB}/github_branches/")
    malformed = get(sandbox, f"{GITHUB}/github_branches/", repo="just-a-name")

    assert missing.json() == hog_validation_error("This field is required.", "repo", "required")
    assert malformed.json() == hog_validation_error("repo must be in owner/repo format")


def test_github_rate_limits_come_with_retry_after(sandbox):
    sandbox.faults.github_rate_limit(demo.GITHUB_INTEGRATION_ID, retry_after=30)

    response = get(sandbox, f"{GITHUB}/github_repos/")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.json() == {
        "detail": "GitHub API rate limit exceeded. Please retry later.",
        "code": "rate_limited",
    }


# --- Jira, Linear, Slack ---------------------------------------------------------------------


def test_jira_projects_lists_projects_with_keys(sandbox):
    body = get(sandbox, f"integrations/{demo.JIRA_INTEGRATION_ID}/jira_projects/").json()

    assert {"id": "10000", "key": "ENG", "name": "Engineering"} in body["projects"]


def test_linear_teams_lists_teams(sandbox):
    body = get(sandbox, f"integrations/{demo.LINEAR_INTEGRATION_ID}/linear_teams/").json()

    assert [team["name"] for team in body["teams"]][:2] == ["Platform", "AI Evals"]


def test_an_integration_whose_token_failed_asks_to_be_reconnected(sandbox):
    response = get(sandbox, f"integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/linear_teams/")

    assert response.status_code == 400
    assert response.json() == hog_validation_error(TOKEN_REFRESH_FAILED)


def test_slack_channels_pages_and_searches(sandbox):
    first = get(sandbox, f"{SLACK}/channels/").json()
    everything = get(sandbox, f"{SLACK}/channels/", limit=200).json()
    alerts = get(sandbox, f"{SLACK}/channels/", search="alerts").json()

    assert (len(first["channels"]), first["has_more"]) == (50, True)
    assert first["lastRefreshedAt"]
    assert len(everything["channels"]) >= 60
    assert any(channel["is_private"] for channel in everything["channels"])
    assert alerts["channels"] and all("alerts" in c["name"] for c in alerts["channels"])


def test_slack_channels_finds_one_channel_by_id(sandbox):
    channel = get(sandbox, f"{SLACK}/channels/").json()["channels"][3]

    body = get(sandbox, f"{SLACK}/channels/", channel_id=channel["id"]).json()

    assert body == {"channels": [channel]}


def test_slack_channels_hide_private_ones_from_anyone_but_the_integrations_creator(sandbox):
    sandbox.add_api_key("phx_omars_key", ["integration:read"], owner=demo.OMAR)
    omar = {"Authorization": "Bearer phx_omars_key"}
    url = sandbox.api_url(f"{SLACK}/channels/")  # connected by Jane
    for_jane = get(sandbox, f"{SLACK}/channels/", limit=200).json()["channels"]
    for_omar = requests.get(url, params={"limit": 200}, headers=omar, timeout=5).json()["channels"]
    private = next(c for c in for_jane if c["is_private"])
    looked_up = requests.get(url, params={"channel_id": private["id"]}, headers=omar, timeout=5)

    assert for_omar == [c for c in for_jane if not c["is_private"]]
    assert looked_up.json() == {
        "channels": [
            private | {"name": "PRIVATE_CHANNEL_WITHOUT_ACCESS", "is_private_without_access": True}
        ]
    }


def test_slack_channels_validates_its_limit(sandbox):
    response = get(sandbox, f"{SLACK}/channels/", limit=201)

    assert response.json()["attr"] == "limit"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (
            f"{SLACK}/github_repos/",
            "github_repos endpoint is only supported for GitHub integrations",
        ),
        (f"{GITHUB}/channels/", "channels endpoint is only supported for Slack integrations"),
        (
            f"{SLACK}/jira_projects/",
            "jira_projects endpoint is only supported for Jira integrations",
        ),
        (
            f"{GITHUB}/linear_teams/",
            "linear_teams endpoint is only supported for Linear integrations",
        ),
    ],
)
def test_actions_with_a_kind_check_reject_the_wrong_kind_with_400(sandbox, path, detail):
    response = get(sandbox, path)

    assert response.status_code == 400
    assert response.json() == hog_validation_error(detail)


@pytest.mark.parametrize(
    "path",
    [
        f"{SLACK}/google_accessible_accounts/",
        f"{GITHUB}/google_conversion_actions/",
        f"{GOOGLE}/linkedin_ads_accounts/",
        f"{SLACK}/linkedin_ads_conversion_rules/",
        f"{LINKEDIN}/twilio_phone_numbers/",
    ],
)
@pytest.mark.usefixtures("older_posthog")
def test_actions_without_a_kind_check_crash_on_the_wrong_kind_with_500(sandbox, path):
    response = get(sandbox, path)

    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }


# --- Google Ads, LinkedIn Ads, Twilio --------------------------------------------------------


@pytest.mark.usefixtures("older_posthog")
def test_google_accessible_accounts_form_a_manager_tree(sandbox):
    accounts = get(sandbox, f"{GOOGLE}/google_accessible_accounts/").json()["accessibleAccounts"]

    roots = [account for account in accounts if account["level"] is None]
    assert len(roots) == 2
    assert all(root["manager"] and root["parent_id"] == root["id"] for root in roots)
    assert {account["level"] for account in accounts} == {None, "1", "2"}
    root_ids = {root["id"] for root in roots}
    assert all(account["parent_id"] in root_ids for account in accounts)


@pytest.mark.usefixtures("older_posthog")
def test_google_conversion_actions_belong_to_a_client_account(sandbox):
    accounts = get(sandbox, f"{GOOGLE}/google_accessible_accounts/").json()["accessibleAccounts"]
    client = next(account for account in accounts if not account["manager"])

    body = get(
        sandbox,
        f"{GOOGLE}/google_conversion_actions/",
        customerId=client["id"],
        parentId=client["parent_id"],
    ).json()
    nothing = get(sandbox, f"{GOOGLE}/google_conversion_actions/", customerId="1").json()

    actions = body["conversionActions"]
    assert actions
    assert all(
        a["resourceName"] == f"customers/{client['id']}/conversionActions/{a['id']}"
        for a in actions
    )
    assert nothing == {"conversionActions": []}


@pytest.mark.usefixtures("older_posthog")
def test_linkedin_lists_ad_accounts_and_their_conversion_rules(sandbox):
    accounts = get(sandbox, f"{LINKEDIN}/linkedin_ads_accounts/").json()["adAccounts"]

    rules = get(
        sandbox, f"{LINKEDIN}/linkedin_ads_conversion_rules/", accountId=accounts[0]["id"]
    ).json()

    assert {"id", "name", "reference"} == set(accounts[0])
    assert rules["conversionRules"]


@pytest.mark.usefixtures("older_posthog")
def test_twilio_phone_numbers_refresh_on_demand(sandbox):
    cached = get(sandbox, f"{TWILIO}/twilio_phone_numbers/").json()
    refreshed = get(sandbox, f"{TWILIO}/twilio_phone_numbers/", force_refresh="true").json()

    assert cached["phone_numbers"][0]["phone_number"].startswith("+")
    assert refreshed["lastRefreshedAt"] > cached["lastRefreshedAt"]
    assert refreshed["phone_numbers"] == cached["phone_numbers"]


# --- Session-only actions and authorize ------------------------------------------------------

SESSION_ONLY = [
    "integrations/authorize/?kind=slack",
    f"{GOOGLE}/google_accessible_accounts/",
    f"{GOOGLE}/google_conversion_actions/",
    f"{LINKEDIN}/linkedin_ads_accounts/",
    f"{LINKEDIN}/linkedin_ads_conversion_rules/",
    f"{TWILIO}/twilio_phone_numbers/",
]


@pytest.mark.parametrize("path", SESSION_ONLY)
def test_newest_posthog_refuses_session_only_actions_to_api_keys(sandbox, path):

    response = get(sandbox, path)

    assert response.status_code == 403
    assert response.json()["detail"] == "This action does not support personal API key access"


@pytest.mark.parametrize("path", SESSION_ONLY)
@pytest.mark.usefixtures("older_posthog")
def test_older_posthog_served_session_only_actions_to_api_keys(sandbox, path):
    response = get(sandbox, path)

    assert response.status_code in (200, 302)


def test_scoped_actions_answer_api_keys_while_session_only_ones_are_refused(sandbox):

    assert get(sandbox, f"{SLACK}/channels/").status_code == 200


def test_make_run_says_how_to_turn_the_older_access_on_and_that_works(sandbox):
    hint = next(line for line in RUN_SH.read_text().splitlines() if "legacy_integration" in line)
    body = re.search(r"-d '([^']+)'", hint)[1].replace('\\"', '"')  # as echo prints it

    response = requests.post(
        f"{sandbox.url}/_sandbox/switches",
        data=body,
        headers={"X-Sandbox-Control": "1"},
        timeout=5,
    )

    assert response.status_code == 200
    assert get(sandbox, f"{TWILIO}/twilio_phone_numbers/").status_code == 200


def test_the_sandbox_command_takes_the_older_access_flag():
    parser = SandboxCommand().create_parser("manage.py", "sandbox")

    assert parser.parse_args(["--legacy-integration-access"]).legacy_integration_access
    assert not parser.parse_args([]).legacy_integration_access


@pytest.mark.usefixtures("older_posthog")
def test_authorize_redirects_to_the_fake_consent_page(sandbox):
    response = get(sandbox, "integrations/authorize/", kind="slack", next="/integrations")

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == sandbox.url
    assert location.path == "/_sandbox/oauth/slack/authorize"
    query = parse_qs(location.query)
    assert query["redirect_uri"] == [f"{sandbox.url}/integrations/slack/callback"]
    state = parse_qs(query["state"][0])
    assert state["next"] == ["/integrations"]
    assert response.cookies["ph_oauth_state"] == state["token"][0]
    page = requests.get(response.headers["Location"], timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Connect slack" in page.text


@pytest.mark.usefixtures("older_posthog")
def test_authorize_sends_github_to_its_installation_page(sandbox):
    response = get(sandbox, "integrations/authorize/", kind="github", next="/settings")

    assert response.status_code == 302
    assert "/_sandbox/oauth/github/authorize?state=" in response.headers["Location"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"kind": "github", "next": "https://evil.example.com/"},
            "next must be a relative path starting with /",
        ),
        (
            {"kind": "github", "next": "//evil.example.com/"},
            "next must be a relative path starting with /",
        ),
        ({"kind": "myspace"}, "Kind not supported"),
    ],
)
@pytest.mark.usefixtures("older_posthog")
def test_authorize_rejects_what_it_cannot_redirect(sandbox, params, detail):
    response = get(sandbox, "integrations/authorize/", **params)

    assert response.status_code == 400
    assert response.json() == hog_validation_error(detail)
