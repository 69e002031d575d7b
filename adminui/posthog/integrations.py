"""Integrations and their actions (repositories, channels, accounts, ...), and authorize:
endpoints and results. How a kind is named in the UI lives in `adminui.integrations.kinds`.

Over 400 lines because one resource has fifteen endpoints, each with its own small result type;
they stay together so an action's shape sits next to the call that returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from urllib.parse import urljoin

from adminui.posthog.classify import bad_response
from adminui.posthog.errors import PostHogNotFound
from adminui.posthog.transport import Params, Transport, _segment
from adminui.posthog.types import (
    UserBasic,
    _opt_bool,
    _opt_int,
    _opt_str,
    _required_list,
    _str,
    parse_datetime,
)

# --------------------------------------------------------------------------------------------
# Integrations


@dataclass(frozen=True)
class Integration:
    id: int
    kind: str
    display_name: str
    config: dict[str, Any]
    created_at: datetime | None
    created_by: UserBasic | None
    errors: str
    installation_status: str | None

    @property
    def needs_reconnecting(self) -> bool:
        """PostHog marks an integration whose OAuth refresh failed with this error code."""
        return self.errors == "TOKEN_REFRESH_FAILED"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        integration_id = int(data["id"])
        config = data.get("config")
        return cls(
            id=integration_id,
            kind=_str(data.get("kind")),
            display_name=_str(data.get("display_name")) or f"ID: {integration_id}",
            config=dict(config) if isinstance(config, dict) else {},
            created_at=parse_datetime(data.get("created_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            errors=_str(data.get("errors")),
            installation_status=_opt_str(data.get("installation_status")),
        )


@dataclass(frozen=True)
class Repository:
    id: int | None
    name: str
    full_name: str
    private: bool | None
    default_branch: str | None
    language: str | None
    pushed_at: datetime | None
    archived: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        full_name = _str(data.get("full_name"))
        return cls(
            id=_opt_int(data.get("id")),
            name=_str(data.get("name")) or full_name.rpartition("/")[2],
            full_name=full_name,
            private=_opt_bool(data.get("private")),
            default_branch=_opt_str(data.get("default_branch")),
            language=_opt_str(data.get("language")),
            pushed_at=parse_datetime(data.get("pushed_at")),
            archived=_opt_bool(data.get("archived")),
        )


@dataclass(frozen=True)
class RepositoryPage:
    """GitHub repositories; the oldest API sends only ``repositories`` (no has_more/total)."""

    repositories: list[Repository]
    has_more: bool | None
    total: int | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            repositories=[Repository.from_api(r) for r in _required_list(data, "repositories")],
            has_more=_opt_bool(data.get("has_more")),
            total=_opt_int(data.get("total")),
        )


@dataclass(frozen=True)
class BranchPage:
    branches: list[str]
    default_branch: str | None
    has_more: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        names = [
            str(b.get("name", "")) if isinstance(b, dict) else str(b)
            for b in _required_list(data, "branches", dicts_only=False)
        ]
        return cls(
            branches=[n for n in names if n],
            default_branch=_opt_str(data.get("default_branch")),
            has_more=_opt_bool(data.get("has_more")),
        )


@dataclass(frozen=True)
class RepositoryRefresh:
    """What ``github_repos/refresh`` answers: the list read again from GitHub, and whether the
    App is still installed (``unavailable``: the last cached list, GitHub no longer answers)."""

    repositories: list[Repository]
    installation_status: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            repositories=[Repository.from_api(r) for r in _required_list(data, "repositories")],
            installation_status=_opt_str(data.get("installation_status")),
        )


@dataclass(frozen=True)
class GitHubTeam:
    id: int | None
    slug: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        slug = _str(data.get("slug"))
        return cls(id=_opt_int(data.get("id")), slug=slug, name=_str(data.get("name")) or slug)


@dataclass(frozen=True)
class GitHubTeamPage:
    teams: list[GitHubTeam]
    has_more: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            teams=[GitHubTeam.from_api(t) for t in _required_list(data, "teams")],
            has_more=_opt_bool(data.get("has_more")),
        )


@dataclass(frozen=True)
class JiraProject:
    id: str
    key: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), key=_str(data.get("key")), name=_str(data.get("name")))


@dataclass(frozen=True)
class LinearTeam:
    id: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), name=_str(data.get("name")))


@dataclass(frozen=True)
class SlackChannel:
    id: str
    name: str
    is_private: bool
    is_member: bool | None
    is_ext_shared: bool | None
    is_private_without_access: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            is_private=bool(data.get("is_private")),
            is_member=_opt_bool(data.get("is_member")),
            is_ext_shared=_opt_bool(data.get("is_ext_shared")),
            is_private_without_access=_opt_bool(data.get("is_private_without_access")),
        )


@dataclass(frozen=True)
class SlackChannelPage:
    channels: list[SlackChannel]
    last_refreshed_at: datetime | None
    has_more: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            channels=[SlackChannel.from_api(c) for c in _required_list(data, "channels")],
            last_refreshed_at=parse_datetime(data.get("lastRefreshedAt")),
            has_more=_opt_bool(data.get("has_more")),
        )


@dataclass(frozen=True)
class GoogleAdsAccount:
    """``level`` is missing/null for top-level accounts and a string deeper down."""

    id: str
    name: str
    parent_id: str | None
    level: str | None
    manager: bool

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            parent_id=_opt_str(data.get("parent_id")),
            level=_opt_str(data.get("level")),
            manager=bool(data.get("manager")),
        )


@dataclass(frozen=True)
class GoogleConversionAction:
    id: str
    name: str
    resource_name: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            resource_name=_opt_str(data.get("resourceName")),
        )


@dataclass(frozen=True)
class LinkedInAdsAccount:
    id: str
    name: str
    reference: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            reference=_opt_str(data.get("reference")),
        )


@dataclass(frozen=True)
class LinkedInConversionRule:
    id: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), name=_str(data.get("name")))


@dataclass(frozen=True)
class TwilioPhoneNumber:
    sid: str
    phone_number: str
    friendly_name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            sid=str(data["sid"]),
            phone_number=_str(data.get("phone_number")),
            friendly_name=_str(data.get("friendly_name")),
        )


@dataclass(frozen=True)
class TwilioPhoneNumbers:
    phone_numbers: list[TwilioPhoneNumber]
    last_refreshed_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            phone_numbers=[
                TwilioPhoneNumber.from_api(n) for n in _required_list(data, "phone_numbers")
            ],
            last_refreshed_at=parse_datetime(data.get("lastRefreshedAt")),
        )


class IntegrationEndpoints(Transport):
    """Integrations, the lists behind their actions, and the OAuth authorize redirect."""

    def list_integrations(self, *, kind: str | None = None) -> list[Integration]:
        """All integrations (all pages). ``kind`` is also applied here, as older PostHog
        versions ignore the filter."""
        items = self._list_all("integrations/", Integration.from_api, {"kind": kind})
        return [i for i in items if kind is None or i.kind == kind]

    def get_integration(self, integration_id: int) -> Integration:
        data = self._get_object(_integration_path(integration_id))
        return self._parse(Integration.from_api, data)

    def list_github_repos(
        self,
        integration_id: int,
        *,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> RepositoryPage:
        params = {"search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "github_repos", RepositoryPage.from_api, params
        )

    def list_github_branches(
        self,
        integration_id: int,
        *,
        repo: str,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> BranchPage:
        params = {"repo": repo, "search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "github_branches", BranchPage.from_api, params
        )

    def refresh_github_repos(self, integration_id: int) -> RepositoryRefresh:
        """Ask PostHog to read the repositories from GitHub now instead of its 1-hour cache.
        A write for PostHog (scope ``integration:write``), throttled to 10 a minute per project."""
        path = f"{_integration_path(integration_id)}github_repos/refresh/"
        return self._parse(RepositoryRefresh.from_api, self._write_object("POST", path, None))

    def list_github_teams(
        self,
        integration_id: int,
        *,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> GitHubTeamPage:
        params = {"search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "github_teams", GitHubTeamPage.from_api, params
        )

    def list_jira_projects(self, integration_id: int) -> list[JiraProject]:
        return self._integration_list(
            integration_id, "jira_projects", "projects", JiraProject.from_api
        )

    def list_linear_teams(self, integration_id: int) -> list[LinearTeam]:
        return self._integration_list(integration_id, "linear_teams", "teams", LinearTeam.from_api)

    def list_slack_channels(
        self,
        integration_id: int,
        *,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> SlackChannelPage:
        params = {"search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "channels", SlackChannelPage.from_api, params
        )

    def list_google_accessible_accounts(self, integration_id: int) -> list[GoogleAdsAccount]:
        return self._integration_list(
            integration_id,
            "google_accessible_accounts",
            "accessibleAccounts",
            GoogleAdsAccount.from_api,
        )

    def list_google_conversion_actions(
        self, integration_id: int, *, customer_id: str, parent_id: str | None = None
    ) -> list[GoogleConversionAction]:
        return self._integration_list(
            integration_id,
            "google_conversion_actions",
            "conversionActions",
            GoogleConversionAction.from_api,
            {"customerId": customer_id, "parentId": parent_id},
        )

    def list_linkedin_ads_accounts(self, integration_id: int) -> list[LinkedInAdsAccount]:
        return self._integration_list(
            integration_id, "linkedin_ads_accounts", "adAccounts", LinkedInAdsAccount.from_api
        )

    def list_linkedin_ads_conversion_rules(
        self, integration_id: int, *, account_id: str
    ) -> list[LinkedInConversionRule]:
        return self._integration_list(
            integration_id,
            "linkedin_ads_conversion_rules",
            "conversionRules",
            LinkedInConversionRule.from_api,
            {"accountId": account_id},
        )

    def list_twilio_phone_numbers(
        self, integration_id: int, *, force_refresh: bool = False
    ) -> TwilioPhoneNumbers:
        params = {"force_refresh": True if force_refresh else None}
        return self._integration_action(
            integration_id, "twilio_phone_numbers", TwilioPhoneNumbers.from_api, params
        )

    def authorize_integration(self, *, kind: str, next_path: str) -> str:
        """The provider authorization URL PostHog redirects to when connecting ``kind``.

        The 302 is not followed: the browser has to go there itself. ``next_path`` must be a
        relative path, as PostHog requires for GitHub and as is safe for every kind.
        """
        if not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
            raise ValueError("next_path must be a relative path starting with a single /")
        path = "integrations/authorize/"
        response = self._request(
            "GET", path, params={"kind": kind, "next": next_path}, allow_redirects=True
        )
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            raise bad_response(
                "no redirect to the provider's authorization page",
                status=response.status_code,
                method="GET",
                path=self._path_of(path),
            )
        return urljoin(self.host + "/", location)

    def _integration_action[T](
        self,
        integration_id: int,
        action: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> T:
        data = self._get_object(_integration_path(integration_id, action), params)
        return self._parse(factory, data)

    def _integration_list[T](
        self,
        integration_id: int,
        action: str,
        key: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> list[T]:
        """An integration action answering ``{key: [items]}``."""

        def build(data: dict[str, Any]) -> list[T]:
            items = data[key]
            if not isinstance(items, list):
                raise TypeError(f"{key} is not a list")
            return [factory(item) for item in items if isinstance(item, dict)]

        return self._integration_action(integration_id, action, build, params)


def _integration_id(value: int | str) -> int:
    """Integration ids are integers; anything else (including booleans) names nothing."""
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        raise PostHogNotFound("That is not a valid integration id, so PostHog has no such one.")
    return int(value)


def _integration_path(integration_id: int | str, action: str | None = None) -> str:
    path = f"integrations/{_integration_id(integration_id)}/"
    return f"{path}{_segment(action)}/" if action else path
