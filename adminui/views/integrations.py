"""Integrations: /<environment>/integrations/ and everything under it.

The list shows what PostHog is connected to; an integration's page browses what it reaches
(repositories, channels, ad accounts, ...) so people can fetch ids for configuration elsewhere.
Each browser is a panel with its own URL (`/integrations/<id>/<resource>/`): htmx swaps one panel,
a plain request gets a page; on the integration's page the panels load concurrently, and a failing
panel shows its own message while the rest keeps working.

Reads are open to every role. Connecting asks PostHog for the provider's authorization URL,
which counts as a write (it is audited) and needs the Editor role.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from adminui.audit import Target, record_write
from adminui.concurrency import Outcome, gather
from adminui.errors import add_to_form, hint_for
from adminui.listing import PAGE_SIZES, SortColumn, matches, ordering_from, paginate, sort_items
from adminui.posthog import (
    PostHogClient,
    PostHogEnvironment,
    PostHogError,
    PostHogPersonalKeyRefused,
    PostHogRateLimited,
    PostHogServerError,
    PostHogTimeout,
    PostHogValidationError,
    get_client,
    integration_kind_label,
)
from adminui.posthog.resources import GoogleAdsAccount, Integration
from adminui.roles import Role, role_required

INTEGRATION_COLUMNS = [
    SortColumn(
        "kind", "Kind", lambda i: (i.kind_label.casefold(), i.display_name.casefold(), i.id)
    ),
    SortColumn("name", "Name", lambda i: (i.display_name.casefold(), i.id)),
    SortColumn("status", "Status", lambda i: (not i.needs_reconnecting, i.kind_label.casefold())),
    SortColumn("created", "Created", lambda i: i.created_at),
]
STATUSES = {"connected": "Connected", "needs_reconnecting": "Needs reconnecting"}
# The kinds the portal can start connecting: PostHog's OAuth kinds it can also browse.
# (Twilio connects with an account SID and auth token, in PostHog itself.)
CONNECTABLE_KINDS = ("github", "slack", "jira", "linear", "google-ads", "linkedin-ads")
# Where PostHog lists a project's integrations (its settings section "project-integrations").
POSTHOG_INTEGRATIONS_PAGE = "settings/project-integrations"
GITHUB_PAGE_SIZE = 30
SLACK_PAGE_SIZE = 50
BRANCH_PAGE_SIZE = 100
EXPORT_PAGE_LIMIT = {"github": 500, "slack": 200}
MAX_EXPORT_PAGES = 40


# --------------------------------------------------------------------------------------------
# Paging for lists PostHog pages itself (limit/offset with has_more, and sometimes total)


@dataclass(frozen=True)
class RemotePage:
    """One page of a list PostHog pages, shaped like a Django Page for the templates."""

    items: list[Any]
    number: int
    per_page: int
    has_next: bool
    total: int | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    @property
    def num_pages(self) -> int | None:
        return -(-self.total // self.per_page) if self.total is not None else None


def page_number(params: QueryDict, name: str = "page") -> int:
    try:
        return max(1, int(params.get(name, 1)))
    except ValueError:
        return 1


def page_size(params: QueryDict, default: int) -> int:
    try:
        size = int(params.get("per_page", default))
    except ValueError:
        return default
    return size if size in (*PAGE_SIZES, default) else default


def remote_page(
    items: list[Any],
    *,
    number: int,
    per_page: int,
    has_more: bool | None,
    total: int | None,
    search: str = "",
    text: Callable[[Any], str] = str,
) -> RemotePage:
    """A page from PostHog's answer, tolerating older versions that do not page at all.

    The oldest `github_repos` sends only `repositories`: every repository, unfiltered. Then the
    portal searches and slices itself. Without `has_more`, a full page suggests there is more.
    """
    if has_more is None and total is None and len(items) > per_page:
        found = [item for item in items if matches(search, text(item))]
        start = (number - 1) * per_page
        shown = found[start : start + per_page]
        return RemotePage(shown, number, per_page, start + per_page < len(found), len(found))
    if has_more is None:
        has_more = len(items) >= per_page
    return RemotePage(items, number, per_page, has_more, total)


# --------------------------------------------------------------------------------------------
# What each browser panel loads


def load_repositories(client: PostHogClient, integration_id: int, params: QueryDict):
    number, size, search = page_number(params), page_size(params, GITHUB_PAGE_SIZE), q(params)
    answer = client.list_github_repos(
        integration_id, search=search or None, limit=size, offset=(number - 1) * size
    )
    return remote_page(
        answer.repositories,
        number=number,
        per_page=size,
        has_more=answer.has_more,
        total=answer.total,
        search=search,
        text=lambda repository: repository.full_name,
    )


def load_branches(client: PostHogClient, integration_id: int, params: QueryDict):
    number = page_number(params, "branch_page")
    answer = client.list_github_branches(
        integration_id,
        repo=params["repo"],
        limit=BRANCH_PAGE_SIZE,
        offset=(number - 1) * BRANCH_PAGE_SIZE,
    )
    page = remote_page(
        answer.branches,
        number=number,
        per_page=BRANCH_PAGE_SIZE,
        has_more=answer.has_more,
        total=None,
    )
    return {"page": page, "default_branch": answer.default_branch}


def load_channels(client: PostHogClient, integration_id: int, params: QueryDict):
    number, size, search = page_number(params), page_size(params, SLACK_PAGE_SIZE), q(params)
    answer = client.list_slack_channels(
        integration_id, search=search or None, limit=size, offset=(number - 1) * size
    )
    page = remote_page(
        answer.channels, number=number, per_page=size, has_more=answer.has_more, total=None
    )
    return {"page": page, "last_refreshed_at": answer.last_refreshed_at}


@dataclass(frozen=True)
class AccountNode:
    """A Google Ads account in the tree: its depth under the manager it is reached through."""

    account: GoogleAdsAccount
    depth: int


@dataclass(frozen=True)
class AccountGroup:
    """The accounts reached through one top-level account (`parent_id`, the login customer)."""

    parent_id: str
    root: GoogleAdsAccount | None
    nodes: list[AccountNode] = field(default_factory=list)


def account_tree(accounts: list[GoogleAdsAccount]) -> list[AccountGroup]:
    """Managers and their clients: PostHog gives each account the top-level account it is
    reached through (`parent_id`) and its depth below it (`level`: missing at the top)."""
    groups: dict[str, AccountGroup] = {}
    for account in accounts:
        parent = account.parent_id or account.id
        group = groups.setdefault(parent, AccountGroup(parent, None))
        if account.id == parent or account.level in (None, "0"):
            groups[parent] = AccountGroup(parent, account, group.nodes)
        else:
            group.nodes.append(AccountNode(account, _depth(account.level)))
    return list(groups.values())


def _depth(level: str | None) -> int:
    try:
        return max(1, min(int(level or 1), 6))
    except ValueError:
        return 1


def load_google_accounts(client: PostHogClient, integration_id: int, params: QueryDict):
    return account_tree(client.list_google_accessible_accounts(integration_id))


def load_google_conversion_actions(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_google_conversion_actions(
        integration_id, customer_id=params["customer"], parent_id=params.get("parent") or None
    )


def load_linkedin_accounts(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_linkedin_ads_accounts(integration_id)


def load_linkedin_conversion_rules(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_linkedin_ads_conversion_rules(integration_id, account_id=params["account"])


def load_phone_numbers(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_twilio_phone_numbers(integration_id)


def q(params: QueryDict) -> str:
    return params.get("q", "").strip()


# --------------------------------------------------------------------------------------------
# Exports: every item of a resource (all pages), as rows of ids and names


def all_pages(fetch: Callable[[int, int], tuple[list[Any], bool | None]], limit: int) -> list:
    """Every item, page after page. An answer without `has_more` is the oldest PostHog's,
    which ignores limit and offset and sends everything at once."""
    items: list[Any] = []
    for index in range(MAX_EXPORT_PAGES):
        page, has_more = fetch(limit, index * limit)
        items.extend(page)
        if not page or not has_more:
            break
    return items


def repository_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    def fetch(limit, offset):
        answer = client.list_github_repos(
            integration_id, search=q(params) or None, limit=limit, offset=offset
        )
        return answer.repositories, answer.has_more

    repositories = all_pages(fetch, EXPORT_PAGE_LIMIT["github"])
    return [
        {"id": r.id, "name": r.name, "full_name": r.full_name, "default_branch": r.default_branch}
        for r in repositories
        if matches(q(params), r.full_name)
    ]


def branch_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    def fetch(limit, offset):
        answer = client.list_github_branches(
            integration_id, repo=params["repo"], limit=limit, offset=offset
        )
        return answer.branches, answer.has_more

    return [{"id": name, "name": name} for name in all_pages(fetch, 1000)]


def channel_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    def fetch(limit, offset):
        answer = client.list_slack_channels(
            integration_id, search=q(params) or None, limit=limit, offset=offset
        )
        return answer.channels, answer.has_more

    channels = all_pages(fetch, EXPORT_PAGE_LIMIT["slack"])
    return [{"id": c.id, "name": c.name, "is_private": c.is_private} for c in channels]


def google_account_rows(
    client: PostHogClient, integration_id: int, params: QueryDict
) -> list[dict]:
    return [
        {"id": a.id, "name": a.name, "parent_id": a.parent_id, "manager": a.manager}
        for a in client.list_google_accessible_accounts(integration_id)
    ]


def google_conversion_rows(
    client: PostHogClient, integration_id: int, params: QueryDict
) -> list[dict]:
    actions = load_google_conversion_actions(client, integration_id, params)
    return [{"id": a.id, "name": a.name, "resource_name": a.resource_name} for a in actions]


def linkedin_account_rows(
    client: PostHogClient, integration_id: int, params: QueryDict
) -> list[dict]:
    return [
        {"id": a.id, "name": a.name, "reference": a.reference}
        for a in client.list_linkedin_ads_accounts(integration_id)
    ]


def linkedin_rule_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    rules = load_linkedin_conversion_rules(client, integration_id, params)
    return [{"id": r.id, "name": r.name} for r in rules]


def jira_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    return [
        {"id": p.id, "name": p.name, "key": p.key}
        for p in client.list_jira_projects(integration_id)
    ]


def linear_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    return [{"id": t.id, "name": t.name} for t in client.list_linear_teams(integration_id)]


def phone_number_rows(client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
    numbers = client.list_twilio_phone_numbers(integration_id).phone_numbers
    return [{"id": n.sid, "name": n.friendly_name, "phone_number": n.phone_number} for n in numbers]


# --------------------------------------------------------------------------------------------
# The browsers


@dataclass(frozen=True)
class Resource:
    """One browsable list of an integration, shown as a panel."""

    slug: str
    title: str
    noun: str  # "repositories", for messages ("PostHog could not list repositories")
    load: Callable[[PostHogClient, int, QueryDict], Any]
    rows: Callable[[PostHogClient, int, QueryDict], list[dict]]
    # The query parameter to choose first (a repository, an account); no call until it is set.
    needs: str | None = None
    # PostHog reaches these through a provider wrapper that fails with a bare 500 on a wrong kind.
    wrapper_kind: str | None = None

    @property
    def template(self) -> str:
        return f"integrations/panels/{self.slug}.html"

    @property
    def panel_id(self) -> str:
        return f"panel-{self.slug}"


RESOURCES = {
    resource.slug: resource
    for resource in (
        Resource(
            "repositories",
            "Repositories",
            "repositories",
            load_repositories,
            repository_rows,
        ),
        Resource(
            "branches",
            "Branches",
            "branches",
            load_branches,
            branch_rows,
            needs="repo",
        ),
        Resource(
            "channels",
            "Channels",
            "channels",
            load_channels,
            channel_rows,
        ),
        Resource(
            "projects",
            "Projects",
            "projects",
            lambda c, i, p: c.list_jira_projects(i),
            jira_rows,
        ),
        Resource("teams", "Teams", "teams", lambda c, i, p: c.list_linear_teams(i), linear_rows),
        Resource(
            "google-accounts",
            "Accessible accounts",
            "Google Ads accounts",
            load_google_accounts,
            google_account_rows,
            wrapper_kind="google-ads",
        ),
        Resource(
            "conversion-actions",
            "Conversion actions",
            "conversion actions",
            load_google_conversion_actions,
            google_conversion_rows,
            needs="customer",
            wrapper_kind="google-ads",
        ),
        Resource(
            "linkedin-accounts",
            "Ad accounts",
            "LinkedIn ad accounts",
            load_linkedin_accounts,
            linkedin_account_rows,
            wrapper_kind="linkedin-ads",
        ),
        Resource(
            "conversion-rules",
            "Conversion rules",
            "conversion rules",
            load_linkedin_conversion_rules,
            linkedin_rule_rows,
            needs="account",
            wrapper_kind="linkedin-ads",
        ),
        Resource(
            "phone-numbers",
            "Phone numbers",
            "phone numbers",
            load_phone_numbers,
            phone_number_rows,
            wrapper_kind="twilio",
        ),
    )
}
BROWSERS = {
    "github": ("repositories", "branches"),
    "slack": ("channels",),
    "slack-posthog-code": ("channels",),
    "jira": ("projects",),
    "linear": ("teams",),
    "google-ads": ("google-accounts", "conversion-actions"),
    "linkedin-ads": ("linkedin-accounts", "conversion-rules"),
    "twilio": ("phone-numbers",),
}


def resource_or_404(slug: str) -> Resource:
    try:
        return RESOURCES[slug]
    except KeyError:
        raise Http404(f"Integrations have no list called “{slug}”.") from None


@dataclass(frozen=True)
class Failure:
    """Why a panel could not load, said for the person looking at it."""

    title: str
    message: str
    hint: str = ""
    link_url: str = ""
    link_label: str = ""
    retry_after: int | None = None
    # Personal-API-key refusals and reconnections are solved in PostHog, not by retrying.
    retryable: bool = True
    # "warning" for what is not broken but needs PostHog itself; "error" for failures.
    tone: str = "error"


def failure_for(
    error: PostHogError, resource: Resource, environment: PostHogEnvironment
) -> Failure:
    integrations_page = environment.project_url(POSTHOG_INTEGRATIONS_PAGE)
    detail = error.detail or ""
    if isinstance(error, PostHogPersonalKeyRefused):
        return Failure(
            f"PostHog shows {resource.noun} only to people logged in to PostHog",
            "The newest PostHog refuses this list to API keys, such as the one the portal uses. "
            "Open the integration in PostHog while logged in to see it there.",
            link_url=integrations_page,
            link_label="Open Integrations in PostHog",
            retryable=False,
            tone="warning",
        )
    if isinstance(error, PostHogValidationError) and _is_reconnect(detail):
        return Failure(
            "This integration needs reconnecting",
            detail,
            link_url=integrations_page,
            link_label="Reconnect in PostHog",
            retryable=False,
            tone="warning",
        )
    if isinstance(error, PostHogValidationError) and "only supported for" in detail:
        return Failure(
            f"PostHog does not list {resource.noun} for this kind of integration",
            detail,
            retryable=False,
        )
    if isinstance(error, PostHogServerError) and error.status == 500 and resource.wrapper_kind:
        kind = integration_kind_label(resource.wrapper_kind)
        extra = " or when the Twilio account has no phone numbers" if kind == "Twilio" else ""
        return Failure(
            f"PostHog could not list {resource.noun}",
            f"PostHog failed with an internal error (HTTP 500). It does this when the "
            f"integration is not a {kind} integration{extra}.",
            hint_for(error),
        )
    if isinstance(error, PostHogRateLimited):
        return Failure(
            f"Rate limited while listing {resource.noun}",
            error.message,
            retry_after=error.retry_after,
        )
    if isinstance(error, PostHogTimeout):
        return Failure(
            f"PostHog did not list {resource.noun} in time", error.message, hint_for(error)
        )
    return Failure(f"Could not list {resource.noun}", error.message, hint_for(error))


def _is_reconnect(detail: str) -> bool:
    text = detail.lower()
    return "could not be refreshed" in text or "no longer valid" in text


@dataclass(frozen=True)
class PanelState:
    """What a panel template needs: the resource, its outcome (or a choice still to make)."""

    resource: Resource
    outcome: Outcome | None  # None: waiting for `resource.needs` to be chosen
    url: str  # the panel's own URL (htmx loads it; a plain request gets a page)
    failure: Failure | None = None

    @property
    def value(self) -> Any:
        return self.outcome.value if self.outcome else None


def panel_calls(
    client: PostHogClient, integration_id: int, resources: list[Resource], params: QueryDict
) -> dict[str, Callable[[], Any]]:
    """The calls to make for these panels: those still waiting for a choice make none."""
    return {
        resource.slug: (lambda r=resource: r.load(client, integration_id, params))
        for resource in resources
        if not resource.needs or params.get(resource.needs)
    }


def panel_states(
    resources: list[Resource],
    loaded: dict[str, Outcome],
    environment: PostHogEnvironment,
    integration_id: int,
) -> dict[str, PanelState]:
    states = {}
    for resource in resources:
        url = reverse("integration-panel", args=[environment, integration_id, resource.slug])
        outcome = loaded.get(resource.slug)
        failure = None
        if outcome is not None and outcome.error is not None:
            failure = failure_for(outcome.error, resource, environment)
        states[resource.slug] = PanelState(resource, outcome, url, failure)
    return states


def detail_with_state(
    environment: PostHogEnvironment, integration_id: int, params: QueryDict
) -> str:
    """The integration's page with every panel's choices, for the address bar."""
    url = reverse("integration-detail", args=[environment, integration_id])
    encoded = params.urlencode()
    return f"{url}?{encoded}" if encoded else url


# --------------------------------------------------------------------------------------------
# Views


def filter_integrations(integrations: list[Integration], params) -> list[Integration]:
    kind, status = params.get("kind", ""), params.get("status", "")
    return [
        integration
        for integration in integrations
        if matches(params.get("q", ""), integration.display_name, integration.kind_label)
        and (not kind or integration.kind == kind)
        and (not status or (status == "needs_reconnecting") == integration.needs_reconnecting)
    ]


@require_GET
@role_required(Role.VIEWER)
def integration_list(request: HttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    integrations = get_client(environment).list_integrations()
    ordering = ordering_from(request.GET, INTEGRATION_COLUMNS, default="kind")
    shown = sort_items(
        filter_integrations(integrations, request.GET), INTEGRATION_COLUMNS, ordering
    )
    kinds = {i.kind: i.kind_label for i in integrations}
    context = {
        "page_obj": paginate(shown, request.GET),
        "total": len(integrations),
        "needing_reconnection": [i for i in integrations if i.needs_reconnecting],
        "ordering": ordering,
        "columns": INTEGRATION_COLUMNS,
        "kinds": dict(sorted(kinds.items(), key=lambda item: item[1].casefold())),
        "statuses": STATUSES,
        "page_sizes": PAGE_SIZES,
        "browsable": BROWSERS,
    }
    template = "integrations/list.html"
    return render(request, f"{template}#integration-region" if request.htmx else template, context)


@require_GET
@role_required(Role.VIEWER)
def integration_detail(
    request: HttpRequest, environment: PostHogEnvironment, integration_id: int
) -> HttpResponse:
    """The integration and every list of its kind, loaded at the same time. A choice in one
    panel (a repository, an account) re-renders the whole browser so the choice shows."""
    client = get_client(environment)
    integration = client.get_integration(integration_id)
    resources = [RESOURCES[slug] for slug in BROWSERS.get(integration.kind, ())]
    loaded = gather(panel_calls(client, integration.id, resources, request.GET))
    context = {
        "integration": integration,
        "panels": panel_states(resources, loaded, environment, integration.id),
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        **panel_context(environment, integration.id, request.GET),
    }
    template = "integrations/detail.html"
    return render(request, f"{template}#browser" if request.htmx else template, context)


def panel_context(environment: PostHogEnvironment, integration_id: int, params: QueryDict) -> dict:
    return {
        "integration_id": integration_id,
        "detail_url": reverse("integration-detail", args=[environment, integration_id]),
        "state": params,
    }


@require_GET
@role_required(Role.VIEWER)
def integration_panel(
    request: HttpRequest, environment: PostHogEnvironment, integration_id: int, resource: str
) -> HttpResponse:
    """One list of an integration. htmx gets the panel (and the address bar shows the
    integration's page with the same choices); a plain request gets a page with the panel."""
    found = resource_or_404(resource)
    client = get_client(environment)
    calls = panel_calls(client, integration_id, [found], request.GET)
    if not request.htmx:
        calls["integration"] = lambda: client.get_integration(integration_id)
    loaded = gather(calls)
    if not request.htmx and loaded["integration"].error:
        raise loaded["integration"].error
    context = {
        "panel": panel_states([found], loaded, environment, integration_id)[found.slug],
        "integration": loaded["integration"].value if not request.htmx else None,
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        **panel_context(environment, integration_id, request.GET),
    }
    if request.htmx:
        response = render(request, f"{found.template}#results", context)
        return push_url(response, detail_with_state(environment, integration_id, request.GET))
    return render(request, "integrations/panel_page.html", context)


@require_GET
@role_required(Role.VIEWER)
def integration_export(
    request: HttpRequest,
    environment: PostHogEnvironment,
    integration_id: int,
    resource: str,
    fmt: str,
) -> HttpResponse:
    """All items of one list (every page), as CSV or JSON: ids and names, for configuration."""
    found = resource_or_404(resource)
    if found.needs and not request.GET.get(found.needs):
        raise Http404(f"Choose a {found.needs} first.")
    rows = found.rows(get_client(environment), integration_id, request.GET)
    filename = f"adminui-{environment.slug}-integration-{integration_id}-{found.slug}.{fmt}"
    if fmt == "json":
        response = JsonResponse({found.slug: rows}, json_dumps_params={"indent": 2})
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        fields = list(rows[0]) if rows else ["id", "name"]
        writer = csv.DictWriter(response, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@role_required(Role.VIEWER)
def twilio_refresh(
    request: HttpRequest, environment: PostHogEnvironment, integration_id: int
) -> HttpResponse:
    """Ask PostHog to fetch the phone numbers from Twilio again instead of its 1-hour cache.

    A read on PostHog's side (nothing changes there), so every role may do it; POST because it
    is an action, not a bookmark."""
    resource = RESOURCES["phone-numbers"]
    client = get_client(environment)
    loaded = gather(
        {
            resource.slug: lambda: client.list_twilio_phone_numbers(
                integration_id, force_refresh=True
            )
        }
    )
    panel = panel_states([resource], loaded, environment, integration_id)[resource.slug]
    if not request.htmx:
        if panel.failure:
            messages.error(request, f"{panel.failure.title}. {panel.failure.message}")
        else:
            messages.success(request, "PostHog fetched the phone numbers from Twilio again.")
        return redirect("integration-detail", environment, integration_id)
    context = {
        "panel": panel,
        "refreshed": panel.failure is None,
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        **panel_context(environment, integration_id, request.GET),
    }
    return render(request, f"{resource.template}#results", context)


class ConnectForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(kind, integration_kind_label(kind)) for kind in CONNECTABLE_KINDS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to connect.",
            "invalid_choice": "Choose one of these.",
        },
    )


def posthog_next_path(environment: PostHogEnvironment) -> str:
    """Where PostHog sends the person after the provider: its own Integrations settings."""
    return f"/project/{environment.project_id}/{POSTHOG_INTEGRATIONS_PAGE}"


def posthog_authorize_url(environment: PostHogEnvironment, kind: str) -> str:
    """PostHog's own authorize URL, for a browser logged in to PostHog (what its UI opens)."""
    query = QueryDict(mutable=True)
    query.update({"kind": kind, "next": posthog_next_path(environment)})
    return environment.posthog_url(
        f"/api/projects/{environment.project_id}/integrations/authorize/?{query.urlencode()}"
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
def integration_connect(request: HttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ConnectForm(data, initial={"kind": request.GET.get("kind")})
    context: dict[str, Any] = {
        "form": form,
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
    }
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        next_path = posthog_next_path(environment)
        try:
            url = record_write(
                request,
                environment,
                action="integration.authorize",
                target=Target("integration", label=integration_kind_label(kind)),
                sent={"kind": kind, "next": next_path},
                call=lambda: get_client(environment).authorize_integration(
                    kind=kind, next_path=next_path
                ),
            )
        except PostHogPersonalKeyRefused:
            context |= {
                "refused_kind": kind,
                "refused_label": integration_kind_label(kind),
                "posthog_authorize_url": posthog_authorize_url(environment, kind),
            }
        except PostHogValidationError as error:
            add_to_form(form, error)
        else:
            # The provider's consent page: the browser goes there itself.
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "integrations/connect.html"
    return render(request, f"{template}#connect-form" if request.htmx else template, context)
