"""The state of an integration's panels: what each one loaded, or why it could not.

A panel's failure is said for the person looking at it (`failure_for`); `PanelState` is what
a panel template draws. The lists themselves are in `registry.py`, their loading in `loaders.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from django.http import QueryDict
from django.urls import reverse

from adminui.integrations.kinds import integration_kind_label
from adminui.integrations.registry import Resource
from adminui.posthog import (
    PostHogClient,
    PostHogEnvironment,
    PostHogError,
    PostHogPersonalKeyRefused,
    PostHogServerError,
)
from adminui.web.concurrency import Outcome
from adminui.web.failures import (
    BROWSER_REFUSED,
    NOTHING_TO_CHOOSE,
    WRAPPER_ALSO,
    WRAPPER_FAILED,
    wording_for,
)

# Where PostHog lists a project's integrations (its settings section "project-integrations").
POSTHOG_INTEGRATIONS_PAGE = "settings/project-integrations"


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
    wording = wording_for(error)
    panel = wording.panel
    words = {"noun": resource.noun, "message": error.message, "detail": error.detail or ""}
    if isinstance(error, PostHogServerError) and error.status == 500 and resource.wrapper_kind:
        panel = WRAPPER_FAILED
        words |= {
            "kind": integration_kind_label(resource.wrapper_kind),
            "also": WRAPPER_ALSO.get(resource.wrapper_kind, ""),
        }
    return Failure(
        panel.title.format(**words),
        panel.message.format(**words),
        wording.hint,
        link_url=environment.project_url(POSTHOG_INTEGRATIONS_PAGE) if panel.link else "",
        link_label=panel.link,
        retry_after=error.retry_after if panel.says_wait else None,
        retryable=panel.retryable,
        # What only PostHog itself can show or fix is not broken: a warning, not an error.
        tone="warning" if panel.link else "error",
    )


@dataclass(frozen=True)
class PanelState:
    """What a panel template needs: the resource, its outcome (or a choice still to make)."""

    resource: Resource
    outcome: Outcome | None  # None: waiting for `resource.needs` to be chosen
    url: str  # the panel's own URL (htmx loads it; a plain request gets a page)
    failure: Failure | None = None
    # The panel whose rows choose this one's `needs`, when it could not load: nothing to choose.
    blocked_by: PanelState | None = None
    # The name of the row chosen for `needs` ("Acme US" for account 2345678901), when known.
    chosen_name: str = ""

    @property
    def refused(self) -> bool:
        """PostHog serves this list only to people logged in to PostHog, not to API keys."""
        return self.outcome is not None and isinstance(
            self.outcome.error, PostHogPersonalKeyRefused
        )

    @property
    def nothing_to_choose(self) -> str:
        """Instead of asking for a choice that cannot be made (its choices did not load)."""
        if self.blocked_by is None:
            return ""
        return NOTHING_TO_CHOOSE.format(noun=self.blocked_by.resource.noun)

    @property
    def value(self) -> Any:
        return self.outcome.value if self.outcome else None

    @property
    def items(self) -> Any:
        """The rows of its table (a `RemotePage` for a paged list)."""
        return self.resource.items(self.value)

    @property
    def summary(self) -> str:
        return self.resource.summary.format(count=len(self.items))


def panel_calls(
    client: PostHogClient, integration_id: int, resources: list[Resource], params: QueryDict
) -> dict[str, Callable[[], Any]]:
    """The calls to make for these panels: those still waiting for a choice make none."""
    return {
        resource.slug: partial(resource.load, client, integration_id, params)
        for resource in resources
        if not resource.needs or params.get(resource.needs)
    }


def panel_states(
    resources: list[Resource],
    loaded: dict[str, Outcome],
    environment: PostHogEnvironment,
    integration_id: int,
    params: QueryDict | None = None,
) -> dict[str, PanelState]:
    """Each panel's state; with the page's `params`, a chosen row's name from its chooser."""
    states = {}
    for resource in resources:
        url = reverse("integration-panel", args=[environment, integration_id, resource.slug])
        outcome = loaded.get(resource.slug)
        failure = None
        if outcome is not None and outcome.error is not None:
            failure = failure_for(outcome.error, resource, environment)
        states[resource.slug] = PanelState(resource, outcome, url, failure)
    choosers = {state.resource.opens: state for state in states.values() if state.resource.opens}
    for slug, state in states.items():
        chooser = choosers.get(state.resource.needs or "")
        if state.outcome is None and chooser is not None and chooser.failure is not None:
            states[slug] = replace(state, blocked_by=chooser)
        elif params and state.outcome and chooser is not None and chooser.failure is None:
            states[slug] = replace(state, chosen_name=name_of_choice(chooser, params))
    return states


def name_of_choice(chooser: PanelState, params: QueryDict) -> str:
    """The name of the chooser's row the user picked, as the chooser's list gives it."""
    resource = chooser.resource
    wanted = params.get(resource.opens or "", "")
    rows = (resource.choices or resource.items)(chooser.value) if chooser.outcome else []
    return next(
        (str(resource.row_name(row)) for row in rows if str(resource.choice(row)) == wanted), ""
    )


def browser_refusal(
    states: dict[str, PanelState], environment: PostHogEnvironment
) -> Failure | None:
    """One explanation instead of a panel each, when PostHog refuses every list of this kind to
    the API key (a list waiting for a choice from a refused one is refused too, in effect)."""
    panels = list(states.values())
    if not panels or not all(
        panel.refused or (panel.blocked_by and panel.blocked_by.refused) for panel in panels
    ):
        return None
    nouns = " and ".join(panel.resource.noun for panel in panels)
    return Failure(
        BROWSER_REFUSED.title.format(nouns=nouns),
        BROWSER_REFUSED.message.format(nouns=nouns),
        link_url=environment.project_url(POSTHOG_INTEGRATIONS_PAGE),
        link_label=BROWSER_REFUSED.link,
        retryable=False,
        tone="warning",
    )


def detail_with_state(
    environment: PostHogEnvironment, integration_id: int, params: QueryDict
) -> str:
    """The integration's page with every panel's choices, for the address bar."""
    url = reverse("integration-detail", args=[environment, integration_id])
    encoded = params.urlencode()
    return f"{url}?{encoded}" if encoded else url
