"""What each integration panel loads from PostHog: one page for the panel, every page for an export.

Lists PostHog pages itself (limit/offset with `has_more`, sometimes `total`) become `RemotePage`s;
the Google Ads accounts become a tree of managers and their clients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from adminui.posthog import PostHogClient
from adminui.posthog.integrations import GoogleAdsAccount
from adminui.web.listing import RemotePage, matches, page_number, page_size_from

GITHUB_PAGE_SIZE = 30
SLACK_PAGE_SIZE = 50
BRANCH_PAGE_SIZE = 100
EXPORT_PAGE_LIMIT = {"github": 500, "slack": 200}
MAX_EXPORT_PAGES = 40


# --------------------------------------------------------------------------------------------
# Paging for lists PostHog pages itself (limit/offset with has_more, and sometimes total)


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

    The oldest `github_repos` sends only `repositories`: every repository, unfiltered, whatever
    the limit and offset. With neither `has_more` nor `total`, the portal searches and slices
    the whole list itself.
    """
    if has_more is None and total is None:
        found = [item for item in items if matches(search, text(item))]
        start = (number - 1) * per_page
        shown = found[start : start + per_page]
        return RemotePage(shown, number, per_page, start + per_page < len(found), len(found))
    if has_more is None:  # only a total: more while this page ends before it
        has_more = number * per_page < (total or 0)
    return RemotePage(items, number, per_page, has_more, total)


# --------------------------------------------------------------------------------------------
# What each browser panel loads


def load_repositories(client: PostHogClient, integration_id: int, params: QueryDict):
    number, size, search = page_number(params), page_size_from(params, GITHUB_PAGE_SIZE), q(params)
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
        repo=chosen(params, "repo"),
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


def load_github_teams(client: PostHogClient, integration_id: int, params: QueryDict):
    number = page_number(params, "team_page")
    answer = client.list_github_teams(
        integration_id, limit=GITHUB_PAGE_SIZE, offset=(number - 1) * GITHUB_PAGE_SIZE
    )
    return remote_page(
        answer.teams, number=number, per_page=GITHUB_PAGE_SIZE, has_more=answer.has_more, total=None
    )


def load_channels(client: PostHogClient, integration_id: int, params: QueryDict):
    number, size, search = page_number(params), page_size_from(params, SLACK_PAGE_SIZE), q(params)
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


def accounts_in(tree: list[AccountGroup]) -> list[GoogleAdsAccount]:
    """Every account of a tree, for finding the chosen one's name."""
    return [
        account
        for group in tree
        for account in ([group.root] if group.root else []) + [n.account for n in group.nodes]
    ]


def _depth(level: str | None) -> int:
    try:
        return max(1, min(int(level or 1), 6))
    except ValueError:
        return 1


def load_google_accounts(client: PostHogClient, integration_id: int, params: QueryDict):
    return account_tree(client.list_google_accessible_accounts(integration_id))


def load_google_conversion_actions(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_google_conversion_actions(
        integration_id,
        customer_id=chosen(params, "customer"),
        parent_id=params.get("parent") or None,
    )


def load_jira_projects(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_jira_projects(integration_id)


def load_linear_teams(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_linear_teams(integration_id)


def load_linkedin_accounts(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_linkedin_ads_accounts(integration_id)


def load_linkedin_conversion_rules(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_linkedin_ads_conversion_rules(
        integration_id, account_id=chosen(params, "account")
    )


def load_phone_numbers(client: PostHogClient, integration_id: int, params: QueryDict):
    return client.list_twilio_phone_numbers(integration_id)


def q(params: QueryDict) -> str:
    return params.get("q", "").strip()


def chosen(params: QueryDict, name: str) -> str:
    """What a panel that needs a choice was given (views call it only once it is made)."""
    return params.get(name, "")


# --------------------------------------------------------------------------------------------
# Exports: every item of a list (all pages); the registry's columns make rows of them


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


def all_repositories(client: PostHogClient, integration_id: int, params: QueryDict) -> list:
    def fetch(limit, offset):
        answer = client.list_github_repos(
            integration_id, search=q(params) or None, limit=limit, offset=offset
        )
        return answer.repositories, answer.has_more

    repositories = all_pages(fetch, EXPORT_PAGE_LIMIT["github"])
    return [r for r in repositories if matches(q(params), r.full_name)]


def all_branches(client: PostHogClient, integration_id: int, params: QueryDict) -> list[str]:
    def fetch(limit, offset):
        answer = client.list_github_branches(
            integration_id, repo=chosen(params, "repo"), limit=limit, offset=offset
        )
        return answer.branches, answer.has_more

    return all_pages(fetch, 1000)


def all_github_teams(client: PostHogClient, integration_id: int, params: QueryDict) -> list:
    def fetch(limit, offset):
        answer = client.list_github_teams(integration_id, limit=limit, offset=offset)
        return answer.teams, answer.has_more

    return all_pages(fetch, EXPORT_PAGE_LIMIT["github"])


def all_channels(client: PostHogClient, integration_id: int, params: QueryDict) -> list:
    def fetch(limit, offset):
        answer = client.list_slack_channels(
            integration_id, search=q(params) or None, limit=limit, offset=offset
        )
        return answer.channels, answer.has_more

    return all_pages(fetch, EXPORT_PAGE_LIMIT["slack"])


def all_google_accounts(client: PostHogClient, integration_id: int, params: QueryDict) -> list:
    return client.list_google_accessible_accounts(integration_id)


def all_phone_numbers(client: PostHogClient, integration_id: int, params: QueryDict) -> list:
    return client.list_twilio_phone_numbers(integration_id).phone_numbers
