"""The integration browsers: what each kind of integration reaches, as panels.

Each browsable list (repositories, channels, ad accounts, ...) is a `Resource`: how to load one
page of it for a panel and all of it for an export (`loaders.py`), and its columns, which the
panel's table and the CSV/JSON exports both read (as the admin's `list_display`). `BROWSERS` says
which lists each kind of integration shows; `views.py` serves them, `templates/integrations/`
draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.http import Http404, QueryDict

from adminui.integrations import loaders
from adminui.posthog import PostHogClient

Loader = Callable[[PostHogClient, int, QueryDict], Any]
EXPORT_FIRST = {"id": 0, "name": 1}


@dataclass(frozen=True)
class Column:
    """One column of a list: its table shows it, its exports hold it under `field`."""

    label: str
    value: Callable[[Any], Any]
    field: str = ""  # its name in exports; "" for what only the table shows
    css: str = ""  # the cell's class ("mono small" for ids)
    empty: str = ""  # what the table shows for a missing value
    cell: str = ""  # a template, for a cell that shows more than the value (tags, links)
    shown: bool = True  # False: in exports only
    label_hidden: bool = False  # a column of buttons: its header is for screen readers

    def display(self, item: Any) -> Any:
        value = self.value(item)
        return self.empty if value in (None, "") and self.empty else value


@dataclass(frozen=True)
class Search:
    """A search box above a list PostHog searches itself."""

    input_id: str
    placeholder: str
    keeps: tuple[str, ...] = ("per_page",)  # the choices a search keeps


def identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Resource:
    """One browsable list of an integration, shown as a panel."""

    slug: str
    title: str
    noun: str  # "repositories", for messages ("PostHog could not list repositories")
    load: Loader  # what the panel shows: one page, or the whole list
    columns: tuple[Column, ...]
    empty: str  # the table's row when there is nothing to show
    everything: Loader | None = None  # every item, for exports; None: what `load` returns
    # The query parameter to choose first (a repository, an account); no call until it is set.
    needs: str | None = None
    choose_first: str = ""  # what to do while `needs` is not chosen
    # The query parameter this list chooses for the next panel (its rows link to it), the
    # row's value for it, its name in the link, and the next panel's page, which starts over.
    opens: str | None = None
    choice: Callable[[Any], Any] = attrgetter("id")
    row_name: Callable[[Any], Any] = attrgetter("name")
    opens_page: str = ""
    # PostHog reaches these through a provider wrapper that fails with a bare 500 on a wrong kind.
    wrapper_kind: str | None = None
    items: Callable[[Any], Iterable] = identity  # the rows in what `load` returns
    choices: Callable[[Any], Iterable] | None = None  # the rows that choose (default: `items`)
    row_id: Callable[[Any], Any] = attrgetter("id")  # a row's `data-id`, which "Copy ids" copies
    summary: str = ""  # above the table; "{count}" is the number of rows
    search: Search | None = None
    no_match: str = ""  # the empty row after a search: "No channel matches"
    page_param: str = ""  # paged lists: the query parameter of their page
    own_template: bool = False  # a panel that is more than a table (a tree, a sub-panel)
    note: str = ""  # a template under the heading: what PostHog leaves out of the list, and why
    # The URL name of a POST asking PostHog to read the list from the provider again (Editors).
    refresh: str = ""
    refresh_label: str = ""

    @property
    def template(self) -> str:
        name = self.slug if self.own_template else "list"
        return f"integrations/panels/_{name}.html"

    @property
    def panel_id(self) -> str:
        return f"panel-{self.slug}"

    @property
    def results_target(self) -> str:
        """The htmx target of the panel's results, which its links and forms swap."""
        return f"#{self.panel_id}-results"

    @property
    def table_columns(self) -> list[Column]:
        return [column for column in self.columns if column.shown]

    @property
    def export_columns(self) -> list[Column]:
        """Ids and names first, for configuration elsewhere; then the rest as the table has them."""
        exported = [column for column in self.columns if column.field]
        return sorted(
            exported, key=lambda column: EXPORT_FIRST.get(column.field, len(EXPORT_FIRST))
        )

    def rows(self, client: PostHogClient, integration_id: int, params: QueryDict) -> list[dict]:
        """Every item (all pages) as a row of the exported columns."""
        columns = self.export_columns
        items = (self.everything or self.load)(client, integration_id, params)
        return [{column.field: column.value(item) for column in columns} for item in items]


ID = Column("Id", attrgetter("id"), "id", css="mono small")
NAME = Column("Name", attrgetter("name"), "name")

RESOURCES = {
    resource.slug: resource
    for resource in (
        Resource(
            "repositories",
            "Repositories",
            "repositories",
            loaders.load_repositories,
            (
                Column("Id", attrgetter("id"), "id", shown=False),
                Column("Name", attrgetter("name"), "name", shown=False),
                Column(
                    "Repository",
                    attrgetter("full_name"),
                    "full_name",
                    cell="integrations/cells/_repository.html",
                ),
                Column(
                    "Default branch",
                    attrgetter("default_branch"),
                    "default_branch",
                    css="mono small",
                    empty="—",
                ),
                Column(
                    "Last push",
                    attrgetter("pushed_at"),
                    css="nowrap",
                    cell="integrations/cells/_pushed.html",
                ),
                Column(
                    "Branches",
                    attrgetter("full_name"),
                    cell="integrations/cells/_open.html",
                    label_hidden=True,
                ),
            ),
            empty="The installation reaches no repositories.",
            everything=loaders.all_repositories,
            opens="repo",
            choice=attrgetter("full_name"),
            row_name=attrgetter("full_name"),
            opens_page="branch_page",
            row_id=lambda repository: repository.id or repository.full_name,
            summary="Repositories the GitHub App installation can reach.",
            refresh="integration-github-refresh",
            refresh_label="Refresh from GitHub",
            search=Search("repository-search", "Part of owner/name", keeps=("repo", "per_page")),
            no_match="No repository matches",
            page_param="page",
        ),
        Resource(
            "branches",
            "Branches",
            "branches",
            loaders.load_branches,
            (
                Column("Id", identity, "id", shown=False),
                Column("Branch", identity, "name", cell="integrations/cells/_branch.html"),
            ),
            empty="PostHog lists no branches for this repository.",
            everything=loaders.all_branches,
            needs="repo",
            choose_first="Choose a repository to list its branches.",
            items=lambda value: value["page"],
            row_id=identity,
            page_param="branch_page",
        ),
        Resource(
            "github-teams",
            "Teams",
            "GitHub teams",
            loaders.load_github_teams,
            (
                Column("Team", attrgetter("name"), "name"),
                Column("Slug", attrgetter("slug"), "slug", css="mono small"),
                ID,
            ),
            empty="The installation's organization has no teams.",
            everything=loaders.all_github_teams,
            wrapper_kind="github",
            summary="Teams of the organization the GitHub App is installed on.",
            page_param="team_page",
        ),
        Resource(
            "channels",
            "Channels",
            "channels",
            loaders.load_channels,
            (
                Column(
                    "Channel", attrgetter("name"), "name", cell="integrations/cells/_channel.html"
                ),
                Column("Private", attrgetter("is_private"), "is_private", shown=False),
                ID,
                Column(
                    "PostHog's bot", attrgetter("is_member"), cell="integrations/cells/_bot.html"
                ),
            ),
            empty="PostHog lists no channels.",
            everything=loaders.all_channels,
            items=lambda value: value["page"],
            search=Search("channel-search", "Name or id"),
            no_match="No channel matches",
            note="integrations/notes/_slack_channels.html",
            page_param="page",
        ),
        Resource(
            "projects",
            "Projects",
            "projects",
            loaders.load_jira_projects,
            (Column("Key", attrgetter("key"), "key", css="mono"), NAME, ID),
            empty="PostHog lists no Jira projects for this site.",
            summary="{count} Jira projects",
        ),
        Resource(
            "teams",
            "Teams",
            "teams",
            loaders.load_linear_teams,
            (Column("Team", attrgetter("name"), "name"), ID),
            empty="PostHog lists no Linear teams for this workspace.",
            summary="{count} Linear teams",
        ),
        Resource(
            "google-accounts",
            "Accessible accounts",
            "Google Ads accounts",
            loaders.load_google_accounts,
            (
                ID,
                NAME,
                Column("Parent", attrgetter("parent_id"), "parent_id"),
                Column("Manager", attrgetter("manager"), "manager"),
            ),
            empty="The Google account reaches no enabled Google Ads accounts.",
            everything=loaders.all_google_accounts,
            opens="customer",  # its tree's links choose the conversion actions' account
            choices=loaders.accounts_in,
            wrapper_kind="google-ads",
            own_template=True,
        ),
        Resource(
            "conversion-actions",
            "Conversion actions",
            "conversion actions",
            loaders.load_google_conversion_actions,
            (
                Column("Conversion action", attrgetter("name"), "name"),
                ID,
                Column(
                    "Resource name",
                    attrgetter("resource_name"),
                    "resource_name",
                    css="mono small wrap-anywhere",
                    empty="—",
                ),
            ),
            empty="This account has no conversion actions. Manager accounts usually have none: "
            "choose one of their client accounts.",
            needs="customer",
            choose_first="Choose an account to list its conversion actions.",
            wrapper_kind="google-ads",
        ),
        Resource(
            "linkedin-accounts",
            "Ad accounts",
            "LinkedIn ad accounts",
            loaders.load_linkedin_accounts,
            (
                Column(
                    "Ad account",
                    attrgetter("name"),
                    "name",
                    cell="integrations/cells/_reference.html",
                ),
                Column("Reference", attrgetter("reference"), "reference", shown=False),
                ID,
                Column(
                    "Conversion rules",
                    attrgetter("id"),
                    cell="integrations/cells/_open.html",
                    label_hidden=True,
                ),
            ),
            empty="The LinkedIn account reaches no ad accounts.",
            opens="account",
            summary="Choose an account to list its conversion rules.",
            wrapper_kind="linkedin-ads",
        ),
        Resource(
            "conversion-rules",
            "Conversion rules",
            "conversion rules",
            loaders.load_linkedin_conversion_rules,
            (Column("Conversion rule", attrgetter("name"), "name"), ID),
            empty="This ad account has no conversion rules.",
            needs="account",
            choose_first="Choose an ad account to list its conversion rules.",
            wrapper_kind="linkedin-ads",
        ),
        Resource(
            "phone-numbers",
            "Phone numbers",
            "phone numbers",
            loaders.load_phone_numbers,
            (
                Column("Name", attrgetter("friendly_name"), "name", empty="—"),
                Column("Number", attrgetter("phone_number"), "phone_number", css="mono"),
                Column("SID", attrgetter("sid"), "id", css="mono small"),
            ),
            empty="The Twilio account has no phone numbers.",
            everything=loaders.all_phone_numbers,
            wrapper_kind="twilio",
            items=attrgetter("phone_numbers"),
            row_id=attrgetter("sid"),
            summary="PostHog keeps Twilio's list for an hour; Refresh asks Twilio now.",
            own_template=True,
        ),
    )
}
BROWSERS = {
    "github": ("repositories", "branches", "github-teams"),
    "slack": ("channels",),
    "slack-posthog-code": ("channels",),
    "jira": ("projects",),
    "linear": ("teams",),
    "google-ads": ("google-accounts", "conversion-actions"),
    "linkedin-ads": ("linkedin-accounts", "conversion-rules"),
    "twilio": ("phone-numbers",),
}


def opened_by(resource: Resource) -> Resource | None:
    """The panel a resource's rows open (the repositories' open the branches), if any."""
    return next((other for other in RESOURCES.values() if other.needs == resource.opens), None)


def resource_or_404(slug: str) -> Resource:
    try:
        return RESOURCES[slug]
    except KeyError:
        raise Http404(f"Integrations have no list called “{slug}”.") from None
