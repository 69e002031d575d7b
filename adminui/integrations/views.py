"""Integrations: /<environment>/integrations/ and everything under it.

The list shows what PostHog is connected to; an integration's page browses what it reaches
(repositories, channels, ad accounts, ...) so people can fetch ids for configuration elsewhere.
Each browser is a panel with its own URL (`/integrations/<id>/<resource>/`): htmx swaps one panel,
a plain request gets a page; on the integration's page the panels load concurrently, and a failing
panel shows its own message while the rest keeps working.

Reads are open to every role. Connecting asks PostHog for the provider's authorization URL,
and "Refresh from GitHub" makes PostHog read the repositories again: both count as writes (they
are audited) and need the Editor role. Newest PostHog refuses connecting, Google Ads, LinkedIn
Ads and Twilio to API keys; an integration whose lists it refuses gets one explanation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from adminui.audit.service import Target, record_write
from adminui.integrations.browsers import (
    POSTHOG_INTEGRATIONS_PAGE,
    browser_refusal,
    detail_with_state,
    panel_calls,
    panel_states,
)
from adminui.integrations.destinations import allow_form_posts_to, refused_destination
from adminui.integrations.kinds import integration_kind_label
from adminui.integrations.registry import BROWSERS, RESOURCES, Resource, resource_or_404
from adminui.posthog import (
    PostHogEnvironment,
    PostHogError,
    PostHogPersonalKeyRefused,
    PostHogValidationError,
    get_client,
)
from adminui.posthog.integrations import Integration
from adminui.web.concurrency import Outcome, gather, outcome_of
from adminui.web.errors import add_to_form, render_list_failure
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.listcopy import Read, gather_copied, wants_refresh
from adminui.web.listing import PAGE_SIZES, SortColumn, matches, ordering_from, paginate, sort_items
from adminui.web.responses import csv_download, go_to, json_download
from adminui.web.roles import Role, role_required

INTEGRATION_COLUMNS = [
    SortColumn(
        "kind",
        "Kind",
        lambda i: (integration_kind_label(i.kind).casefold(), i.display_name.casefold(), i.id),
    ),
    SortColumn("name", "Name", lambda i: (i.display_name.casefold(), i.id)),
    SortColumn(
        "status",
        "Status",
        lambda i: (not i.needs_reconnecting, integration_kind_label(i.kind).casefold()),
    ),
    SortColumn("created", "Created", lambda i: i.created_at),
]
STATUSES = {"connected": "Connected", "needs_reconnecting": "Needs reconnecting"}
# The kinds the portal can start connecting: PostHog's OAuth kinds it can also browse.
# (Twilio connects with an account SID and auth token, in PostHog itself.)
CONNECTABLE_KINDS = ("github", "slack", "jira", "linear", "google-ads", "linkedin-ads")


# --------------------------------------------------------------------------------------------
# Views


def filter_integrations(integrations: list[Integration], params) -> list[Integration]:
    kind, status = params.get("kind", ""), params.get("status", "")
    return [
        integration
        for integration in integrations
        if matches(
            params.get("q", ""), integration.display_name, integration_kind_label(integration.kind)
        )
        and (not kind or integration.kind == kind)
        and (not status or (status == "needs_reconnecting") == integration.needs_reconnecting)
    ]


@require_GET
@role_required(Role.VIEWER)
def integration_list(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    ordering = ordering_from(request.GET, INTEGRATION_COLUMNS, default="kind")
    frame = {"ordering": ordering, "statuses": STATUSES, "page_sizes": PAGE_SIZES}
    client = get_client(environment)
    copied = gather_copied(
        environment,
        {"integrations": Read(("integrations",), client.list_integrations)},
        refresh=wants_refresh(request.GET),
    )
    if error := copied.outcomes["integrations"].error:
        return render_list_failure(request, "integrations/list.html", error, frame)
    integrations = copied.outcomes["integrations"].value
    shown = sort_items(
        filter_integrations(integrations, request.GET), INTEGRATION_COLUMNS, ordering
    )
    kinds = {i.kind: integration_kind_label(i.kind) for i in integrations}
    context = frame | {
        "page_obj": paginate(shown, request.GET),
        "total": len(integrations),
        "needing_reconnection": [i for i in integrations if i.needs_reconnecting],
        "columns": INTEGRATION_COLUMNS,
        "kinds": dict(sorted(kinds.items(), key=lambda item: item[1].casefold())),
        "browsable": BROWSERS,
        "copy_age": copied.age_seconds,
    }
    return render_page(request, "integrations/list.html", context, partial="integration-region")


@require_GET
@role_required(Role.VIEWER)
def integration_detail(
    request: HtmxHttpRequest, environment: PostHogEnvironment, integration_id: int
) -> HttpResponse:
    """The integration and every list of its kind, loaded at the same time. A choice in one
    panel (a repository, an account) re-renders the whole browser so the choice shows."""
    client = get_client(environment)
    integration = client.get_integration(integration_id)
    resources = [RESOURCES[slug] for slug in BROWSERS.get(integration.kind, ())]
    loaded = gather(panel_calls(client, integration.id, resources, request.GET))
    panels = panel_states(resources, loaded, environment, integration.id, request.GET)
    refusal = browser_refusal(panels, environment)
    context = {
        "integration": integration,
        "panels": panels,
        # What _panel_error.html draws: one explanation in place of every panel.
        "refusal": {"failure": refusal} if refusal else None,
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        **panel_context(environment, integration.id, request.GET),
    }
    return render_page(request, "integrations/detail.html", context, partial="browser")


def panel_context(environment: PostHogEnvironment, integration_id: int, params: QueryDict) -> dict:
    return {
        "integration_id": integration_id,
        "detail_url": reverse("integration-detail", args=[environment, integration_id]),
        "state": params,
    }


@require_GET
@role_required(Role.VIEWER)
def integration_panel(
    request: HtmxHttpRequest, environment: PostHogEnvironment, integration_id: int, resource: str
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
        # A row of another panel opening this one swaps the whole panel (its title names the
        # choice); the panel's own search and pages swap its results.
        whole = request.htmx.target == found.panel_id
        response = render(
            request, found.template if whole else f"{found.template}#results", context
        )
        return push_url(response, detail_with_state(environment, integration_id, request.GET))
    return render(request, "integrations/panel_page.html", context)


@require_GET
@role_required(Role.VIEWER)
def integration_export(
    request: HtmxHttpRequest,
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
        return json_download({found.slug: rows}, filename)
    return csv_download(rows, list(rows[0]) if rows else ["id", "name"], filename)


@require_POST
@role_required(Role.VIEWER)
def twilio_refresh(
    request: HtmxHttpRequest, environment: PostHogEnvironment, integration_id: int
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
    done = "PostHog fetched the phone numbers from Twilio again."
    return refreshed_panel(request, environment, integration_id, resource, loaded, done=done)


@require_POST
@role_required(Role.EDITOR)
def github_refresh(
    request: HtmxHttpRequest, environment: PostHogEnvironment, integration_id: int
) -> HttpResponse:
    """Ask PostHog to read the repositories from GitHub now (a new repository shows at once,
    not after PostHog's hour). A write for PostHog (scope integration:write), so Editors only,
    audited; PostHog allows 10 a minute per project."""
    resource = RESOURCES["repositories"]
    client = get_client(environment)

    def refresh_then_list() -> Any:
        record_write(
            request,
            environment,
            action="integration.refresh_repositories",
            target=Target("integration", str(integration_id), "GitHub repositories"),
            sent=None,
            call=lambda: client.refresh_github_repos(integration_id),
        )
        return resource.load(client, integration_id, QueryDict())

    loaded = {resource.slug: outcome_of(refresh_then_list)}
    done = "PostHog read the repositories from GitHub again."
    return refreshed_panel(
        request, environment, integration_id, resource, loaded, done=done, params=QueryDict()
    )


def refreshed_panel(
    request: HtmxHttpRequest,
    environment: PostHogEnvironment,
    integration_id: int,
    resource: Resource,
    loaded: dict[str, Outcome],
    *,
    done: str,
    params: QueryDict | None = None,
) -> HttpResponse:
    """After asking PostHog to read a list from its provider again: htmx gets the list's panel,
    a plain form a message (the failure, or `done`) on the integration's page."""
    panel = panel_states([resource], loaded, environment, integration_id)[resource.slug]
    if not request.htmx:
        if panel.failure:
            messages.error(request, f"{panel.failure.title}. {panel.failure.message}")
        else:
            messages.success(request, done)
        return redirect("integration-detail", environment, integration_id)
    context = {
        "panel": panel,
        "refreshed": panel.failure is None,
        **panel_context(environment, integration_id, request.GET if params is None else params),
    }
    return render(request, f"{resource.template}#results", context)


class ConnectForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(kind, integration_kind_label(kind)) for kind in CONNECTABLE_KINDS],
        widget=forms.RadioSelect,
        label="What to connect",
        template_name="integrations/_kind_field.html",  # type: ignore[call-arg]
        error_messages={
            "required": "Choose what to connect.",
            "invalid_choice": "Choose one of these.",
        },
    )


def posthog_next_path(environment: PostHogEnvironment) -> str:
    """Where PostHog sends the person after the provider: its own Integrations settings."""
    return f"/project/{environment.project_id}/{POSTHOG_INTEGRATIONS_PAGE}"


def refuses_connecting(environment: PostHogEnvironment) -> bool:
    """Whether this environment's PostHog refuses the portal's key to start connections, so the
    connect page says so before anyone chooses, asked as connecting asks. Newest PostHog
    refuses `authorize` to personal API keys for every kind (the action has no scope:
    docs/posthog-contract.md §3.6); older PostHog answers with the provider's URL, which nobody
    follows. A failure to find out is no refusal: the form is offered, and submitting it
    explains whatever PostHog answers."""
    try:
        get_client(environment).authorize_integration(
            kind=CONNECTABLE_KINDS[0], next_path=posthog_next_path(environment)
        )
    except PostHogPersonalKeyRefused:
        return True
    except PostHogError:
        return False
    return False


def posthog_authorize_url(environment: PostHogEnvironment, kind: str) -> str:
    """PostHog's own authorize URL, for a browser logged in to PostHog (what its UI opens)."""
    query = QueryDict(mutable=True)
    query.update({"kind": kind, "next": posthog_next_path(environment)})
    return environment.posthog_url(
        f"/api/projects/{environment.project_id}/integrations/authorize/?{query.urlencode()}"
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
def integration_connect(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ConnectForm(data, initial={"kind": request.GET.get("kind")})
    context: dict[str, Any] = {
        "form": form,
        "posthog_integrations_url": environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        "connections_refused": request.method == "GET" and refuses_connecting(environment),
        "in_posthog": [
            (kind, integration_kind_label(kind), posthog_authorize_url(environment, kind))
            for kind in CONNECTABLE_KINDS
        ],
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
                "connections_refused": True,
                "refused_kind": kind,
                "refused_label": integration_kind_label(kind),
            }
        except PostHogValidationError as error:
            add_to_form(form, error)
        else:
            refusal = refused_destination(url, kind=kind, posthog_host=environment.host)
            if refusal is None:
                # The provider's consent page: the browser goes there itself.
                return go_to(request, url)
            form.add_error(None, refusal)
    response = render_page(request, "integrations/connect.html", context, partial="connect-form")
    allow_form_posts_to(response, environment.host, CONNECTABLE_KINDS)
    return response
