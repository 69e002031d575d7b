"""The integration browsers: what each kind of integration reaches, as panels.

Each browsable list (repositories, channels, ad accounts, ...) is a `Resource`: how to load one
page of it for a panel and how to export all of it (`loaders.py`). `BROWSERS` says which lists
each kind of integration shows; `views.py` serves them, `templates/integrations/panels/` draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, QueryDict

from adminui.integrations.loaders import (
    branch_rows,
    channel_rows,
    google_account_rows,
    google_conversion_rows,
    jira_rows,
    linear_rows,
    linkedin_account_rows,
    linkedin_rule_rows,
    load_branches,
    load_channels,
    load_google_accounts,
    load_google_conversion_actions,
    load_linkedin_accounts,
    load_linkedin_conversion_rules,
    load_phone_numbers,
    load_repositories,
    phone_number_rows,
    repository_rows,
)
from adminui.posthog import PostHogClient


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

    @property
    def results_target(self) -> str:
        """The htmx target of the panel's results, which its links and forms swap."""
        return f"#{self.panel_id}-results"


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
