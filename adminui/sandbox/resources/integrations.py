"""Integrations: the list, the OAuth authorize redirect, and the per-kind read actions."""

from __future__ import annotations

import html
import math
import re
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from adminui.sandbox.api import (
    Request,
    Response,
    Route,
    hog_error,
    int_param,
    not_found,
    page_of,
    paginate,
    required,
    server_error,
    validation_error,
)
from adminui.sandbox.demo import DEMO_PROJECT_NAME, github_branches
from adminui.sandbox.state import Integration, User, iso

OAUTH_KINDS = (
    "slack", "salesforce", "hubspot", "google-ads", "google-analytics", "google-calendar",
    "google-search-console", "google-sheets", "snapchat", "linkedin-ads", "reddit-ads",
    "tiktok-ads", "bing-ads", "meta-ads", "instagram", "intercom", "linear", "clickup", "jira",
    "pardot", "pinterest-ads", "stripe", "resend", "youtube-analytics",
)  # fmt: skip
TOKEN_REFRESH_FAILED = (
    "This integration's authentication token could not be refreshed. Please reconnect or "
    "disconnect this integration and connect a different account."
)
REPOSITORY_NAME = r"[A-Za-z0-9_.\-]+"
REPOSITORY_REFRESH_RATE = (10, 60)  # GitHubRepositoryRefreshThrottle: requests, seconds
# The name PostHog gives a private channel it masks for anyone but the integration's creator.
PRIVATE_CHANNEL_WITHOUT_ACCESS = "PRIVATE_CHANNEL_WITHOUT_ACCESS"


def get_integration(request: Request) -> Integration:
    try:
        integration = request.state.integrations.get(int(request.params["id"]))
    except ValueError:
        integration = None
    if integration is None:
        raise not_found()
    return integration


def require_kind(integration: Integration, kind: str, action: str, label: str) -> None:
    """Actions with an explicit kind check answer a 400."""
    if integration.kind != kind:
        raise validation_error(f"{action} endpoint is only supported for {label} integrations")


def require_wrapper_kind(integration: Integration, kind: str) -> None:
    """Actions that go straight to a provider wrapper crash on the wrong kind: a bare 500."""
    if integration.kind != kind:
        raise server_error()


def ensure_token_valid(integration: Integration) -> None:
    if integration.errors == "TOKEN_REFRESH_FAILED":
        raise validation_error(TOKEN_REFRESH_FAILED)


def list_integrations(request: Request) -> Response:
    integrations = sorted(request.state.integrations.values(), key=lambda i: (i.created_at, i.id))
    if kind := request.arg("kind"):
        integrations = [i for i in integrations if i.kind == kind]
    return paginate(request, integrations, Integration.to_json)


def retrieve_integration(request: Request) -> Response:
    return Response(200, get_integration(request).to_json())


def authorize(request: Request) -> Response:
    """302 to the provider's consent page, which the sandbox fakes under /_sandbox/oauth/."""
    kind, next_url = request.arg("kind"), request.arg("next", "")
    token = secrets.token_hex(33)
    consent_url = f"{request.base_url}/_sandbox/oauth/{kind}/authorize"
    if kind in OAUTH_KINDS:
        state = urlencode({"next": next_url, "token": token, "team_id": request.project_id})
        query = {
            "client_id": f"sandbox-{kind}",
            "redirect_uri": f"{request.base_url}/integrations/{kind}/callback",
            "response_type": "code",
            "state": state,
        }
        cookie = f"ph_oauth_state={token}; Max-Age=300; Path=/; SameSite=Lax"
        return _redirect(f"{consent_url}?{urlencode(query)}", {"Set-Cookie": cookie})
    if kind == "github":
        if next_url and not _is_relative_url(next_url):
            raise validation_error("next must be a relative path starting with /")
        query = {"state": urlencode({"next": next_url, "token": token})}
        return _redirect(f"{consent_url}?{urlencode(query)}")
    raise validation_error("Kind not supported")


def _redirect(location: str, headers: dict[str, str] | None = None) -> Response:
    return Response(302, b"", {"Location": location, **(headers or {})}, "text/html; charset=utf-8")


def _is_relative_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        url.startswith("/") and not url.startswith("//") and not parts.scheme and not parts.netloc
    )


def consent_page(kind: str, query: dict[str, list[str]]) -> Response:
    """The fake provider's consent screen: it only explains what would happen."""
    rows = "".join(
        f"<li><code>{html.escape(name)}</code>: {html.escape(values[-1])}</li>"
        for name, values in sorted(query.items())
    )
    page = (
        f"<!doctype html><html><head><title>{html.escape(kind)} (sandbox)</title></head><body>"
        f"<h1>Connect {html.escape(kind)} to {DEMO_PROJECT_NAME}</h1>"
        "<p>This page stands in for the provider's consent screen. Real PostHog would send you "
        "back to its own callback, which creates the integration; the sandbox creates nothing."
        f"</p><ul>{rows}</ul></body></html>"
    )
    return Response(200, page, content_type="text/html; charset=utf-8")


# --- GitHub ----------------------------------------------------------------------------------


def github_repos(request: Request) -> Response:
    search = (request.arg("search") or "").lower()
    limit = int_param(request, "limit", 100, low=1, high=500)
    offset = int_param(request, "offset", 0, low=0, high=None)
    integration = get_integration(request)
    require_kind(integration, "github", "github_repos", "GitHub")
    matches = [r for r in integration.resources["repositories"] if search in r["full_name"].lower()]
    page, has_more = page_of(matches, offset, limit)
    return Response(200, {"repositories": page, "has_more": has_more, "total": len(matches)})


def github_branches_action(request: Request) -> Response:
    repo = request.arg("repo")
    if repo is None:
        raise required("repo")
    if not repo.strip():
        raise validation_error("This field may not be blank.", "repo", "blank")
    search = (request.arg("search") or "").lower()
    limit = int_param(request, "limit", 100, low=1, high=1000)
    offset = int_param(request, "offset", 0, low=0, high=None)
    owner, _, name = repo.partition("/")
    if not all(part not in (".", "..") and _is_repository_name(part) for part in (owner, name)):
        raise validation_error("repo must be in owner/repo format")
    integration = get_integration(request)
    require_kind(integration, "github", "github_branches", "GitHub")
    repository = next(
        (
            r
            for r in integration.resources["repositories"]
            if r["full_name"].lower() == repo.lower()
        ),
        None,
    )
    branches = [b for b in github_branches(repository) if search in b.lower()] if repository else []
    page, has_more = page_of(branches, offset, limit)
    default_branch = repository["default_branch"] if repository else None
    return Response(200, {"branches": page, "default_branch": default_branch, "has_more": has_more})


def refresh_github_repos(request: Request) -> Response:
    """Re-read the installation's repositories from GitHub (the sandbox has them already).
    PostHog's throttle comes first: DRF checks throttles before the action looks anything up."""
    check_refresh_throttle(request)
    integration = get_integration(request)
    require_kind(integration, "github", "refresh_github_repos", "GitHub")
    repositories = integration.resources["repositories"]
    return Response(200, {"repositories": repositories, "installation_status": "connected"})


def check_refresh_throttle(request: Request) -> None:
    """`GitHubRepositoryRefreshThrottle`: 10 a minute per project, whoever asks (DRF's
    SimpleRateThrottle over one shared history)."""
    limit, seconds = REPOSITORY_REFRESH_RATE
    history = request.state.throttle_history.setdefault(
        f"github_repository_refresh:team_{request.project_id}", []
    )
    now = time.time()
    while history and history[-1] <= now - seconds:
        history.pop()
    if len(history) < limit:
        history.insert(0, now)
        return
    wait = math.ceil(seconds - (now - history[-1]))
    unit = "second" if wait == 1 else "seconds"
    error = hog_error(
        429,
        "throttled_error",
        "throttled",
        f"Request was throttled. Expected available in {wait} {unit}.",
    )
    error.response.headers["Retry-After"] = str(wait)
    raise error


def github_teams(request: Request) -> Response:
    """The installation organization's teams. No kind check: PostHog's GitHub wrapper fails
    with a bare 500 on another kind."""
    search = (request.arg("search") or "").strip().lower()
    limit = int_param(request, "limit", 100, low=1, high=500)
    offset = int_param(request, "offset", 0, low=0, high=None)
    integration = get_integration(request)
    require_wrapper_kind(integration, "github")
    teams = [
        team
        for team in integration.resources.get("teams", [])
        if search in team["name"].lower() or search in team["slug"].lower()
    ]
    page, has_more = page_of(teams, offset, limit)
    return Response(200, {"teams": page, "has_more": has_more})


def _is_repository_name(part: str) -> bool:
    return re.fullmatch(REPOSITORY_NAME, part) is not None


# --- Jira, Linear, Slack ---------------------------------------------------------------------


def jira_projects(request: Request) -> Response:
    integration = get_integration(request)
    require_kind(integration, "jira", "jira_projects", "Jira")
    ensure_token_valid(integration)
    return Response(200, {"projects": integration.resources["projects"]})


def linear_teams(request: Request) -> Response:
    integration = get_integration(request)
    require_kind(integration, "linear", "linear_teams", "Linear")
    ensure_token_valid(integration)
    return Response(200, {"teams": integration.resources["teams"]})


def slack_channels(request: Request) -> Response:
    """PostHog lists private channels only to the integration's creator. For anyone else Slack's
    private channels come back masked (`is_private_without_access`), which a list leaves out and
    a lookup by id returns masked."""
    integration = get_integration(request)
    require_kind(integration, "slack", "channels", "Slack")
    creator = integration.created_by is not None and integration.created_by == key_owner(request)
    channels = [
        channel if creator or not channel["is_private"] else _masked(channel)
        for channel in integration.resources["channels"]
    ]
    if channel_id := request.arg("channel_id"):
        return Response(200, {"channels": [c for c in channels if c["id"] == channel_id]})
    search = (request.arg("search") or "").strip().lower()
    limit = int_param(request, "limit", 50, low=1, high=200)
    offset = int_param(request, "offset", 0, low=0, high=None)
    # force_refresh is honoured for browser sessions only, never for API keys.
    matches = [
        c
        for c in channels
        if not c["is_private_without_access"]
        and (search in c["name"].lower() or search in c["id"].lower())
    ]
    page, has_more = page_of(matches, offset, limit)
    refreshed_at = iso(integration.resources["refreshed_at"])
    return Response(200, {"channels": page, "lastRefreshedAt": refreshed_at, "has_more": has_more})


def key_owner(request: Request) -> User:
    """Whom PostHog sees behind the API key: its owner, else the first demo user (Jane, who
    owns the demo key, as the provider keys created with it say)."""
    owner = request.api_key.owner if request.api_key else None
    return owner or request.state.users[0]


def _masked(channel: dict) -> dict:
    return channel | {"name": PRIVATE_CHANNEL_WITHOUT_ACCESS, "is_private_without_access": True}


# --- Google Ads, LinkedIn Ads, Twilio (session-only in newest PostHog) -----------------------


def google_accessible_accounts(request: Request) -> Response:
    integration = get_integration(request)
    ensure_token_valid(integration)
    require_wrapper_kind(integration, "google-ads")
    return Response(200, {"accessibleAccounts": integration.resources["accounts"]})


def google_conversion_actions(request: Request) -> Response:
    integration = get_integration(request)
    ensure_token_valid(integration)
    require_wrapper_kind(integration, "google-ads")
    actions = integration.resources["conversion_actions"].get(request.arg("customerId") or "", [])
    return Response(200, {"conversionActions": actions})


def linkedin_ads_accounts(request: Request) -> Response:
    integration = get_integration(request)
    ensure_token_valid(integration)
    require_wrapper_kind(integration, "linkedin-ads")
    return Response(200, {"adAccounts": integration.resources["accounts"]})


def linkedin_ads_conversion_rules(request: Request) -> Response:
    integration = get_integration(request)
    ensure_token_valid(integration)
    require_wrapper_kind(integration, "linkedin-ads")
    rules = integration.resources["conversion_rules"].get(request.arg("accountId") or "", [])
    return Response(200, {"conversionRules": rules})


def twilio_phone_numbers(request: Request) -> Response:
    integration = get_integration(request)
    require_wrapper_kind(integration, "twilio")
    if (request.arg("force_refresh") or "").lower() == "true":
        integration.resources["refreshed_at"] = datetime.now(UTC)
    numbers = integration.resources["phone_numbers"]
    return Response(
        200,
        {"phone_numbers": numbers, "lastRefreshedAt": iso(integration.resources["refreshed_at"])},
    )


READ = "integration:read"
_ONE = r"integrations/(?P<id>[^/]+)"

ROUTES = [
    Route("GET", r"integrations", list_integrations, READ),
    Route("GET", r"integrations/authorize", authorize, READ, session_only=True),
    Route("GET", _ONE, retrieve_integration, READ),
    Route("GET", _ONE + "/github_repos", github_repos, READ),
    Route("GET", _ONE + "/github_branches", github_branches_action, READ),
    Route("GET", _ONE + "/github_teams", github_teams, READ),
    Route("POST", _ONE + "/github_repos/refresh", refresh_github_repos, "integration:write"),
    Route("GET", _ONE + "/jira_projects", jira_projects, READ),
    Route("GET", _ONE + "/linear_teams", linear_teams, READ),
    Route("GET", _ONE + "/channels", slack_channels, READ),
    Route(
        "GET",
        _ONE + "/google_accessible_accounts",
        google_accessible_accounts,
        READ,
        session_only=True,
    ),
    Route(
        "GET",
        _ONE + "/google_conversion_actions",
        google_conversion_actions,
        READ,
        session_only=True,
    ),
    Route("GET", _ONE + "/linkedin_ads_accounts", linkedin_ads_accounts, READ, session_only=True),
    Route(
        "GET",
        _ONE + "/linkedin_ads_conversion_rules",
        linkedin_ads_conversion_rules,
        READ,
        session_only=True,
    ),
    Route("GET", _ONE + "/twilio_phone_numbers", twilio_phone_numbers, READ, session_only=True),
]
