"""Stand-ins for PostHog's own web pages, where the portal's links into PostHog land.

The portal links to PostHog's web app ("Open in PostHog", "Reconnect in PostHog", generation
links, organization settings) and, for actions PostHog serves only to logged-in users, to its
`integrations/authorize/` URL in the browser. Against the sandbox those links reach this server,
so instead of a JSON 404 each answers a small HTML page that says what the real PostHog would
show there. Nothing here is an API: these requests are neither recorded nor throttled.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from adminui.sandbox.api import Response
from adminui.sandbox.demo import DEMO_PROJECT_ID
from adminui.sandbox.state import SandboxState

type Describe = Callable[[SandboxState, re.Match[str], dict[str, list[str]]], str]

_PROJECT = r"/project/(?P<project>[^/]+)"
_AUTHORIZE = re.compile(
    r"/api/(?:projects|environments)/(?P<project>[^/]+)/integrations/authorize/?"
)


def _evaluations(state: SandboxState, match: re.Match[str], query: dict) -> str:
    return "the LLM analytics <strong>evaluations</strong> list of the project"


def _evaluation(state: SandboxState, match: re.Match[str], query: dict) -> str:
    evaluation = state.evaluations.get(match["id"])
    name = f" “{html.escape(evaluation.name)}”" if evaluation else ""
    return (
        f"the LLM analytics <strong>evaluation {html.escape(match['id'])}</strong>{name} page: "
        "its prompt, model, conditions and its runs"
    )


def _generations(state: SandboxState, match: re.Match[str], query: dict) -> str:
    search = query.get("search", [""])[-1]
    if search:
        return (
            f"the LLM analytics <strong>generation {html.escape(search)}</strong>: the "
            "generations list searched for it, from which PostHog opens its trace"
        )
    return "the LLM analytics <strong>generations</strong> list"


def _generation(state: SandboxState, match: re.Match[str], query: dict) -> str:
    return f"the LLM analytics <strong>generation {html.escape(match['id'])}</strong> page"


def _integrations(state: SandboxState, match: re.Match[str], query: dict) -> str:
    return (
        "the project's <strong>Integrations</strong> settings, where a logged-in PostHog user "
        "connects, reconnects and disconnects Slack, GitHub, Google Ads and the others"
    )


def _llm_settings(state: SandboxState, match: re.Match[str], query: dict) -> str:
    return "the project's <strong>LLM analytics</strong> settings: provider keys and evaluations"


def _organization(state: SandboxState, match: re.Match[str], query: dict) -> str:
    return (
        "the <strong>organization settings</strong>, where an organization admin approves AI "
        "data processing (which AI summaries need)"
    )


PAGES: tuple[tuple[re.Pattern[str], Describe], ...] = tuple(
    (re.compile(pattern), describe)
    for pattern, describe in (
        (_PROJECT + r"/llm-analytics/evaluations/?", _evaluations),
        (_PROJECT + r"/llm-analytics/evaluations/(?P<id>[^/]+)/?", _evaluation),
        (_PROJECT + r"/llm-analytics/generations/?", _generations),
        (_PROJECT + r"/llm-analytics/generations/(?P<id>[^/]+)/?", _generation),
        (_PROJECT + r"/settings/project-integrations/?", _integrations),
        (_PROJECT + r"/settings/environment-llm-analytics/?", _llm_settings),
        (r"/settings/organization/?", _organization),
    )
)


def is_web_page(method: str, target: str, accept: str) -> bool:
    """A browser opening PostHog's web app, or its authorize URL, rather than an API call."""
    path = urlsplit(target).path
    if method != "GET":
        return False
    if _AUTHORIZE.fullmatch(path):
        return "text/html" in accept  # a browser; the portal's client asks for JSON
    return not path.startswith(("/api/", "/_sandbox/"))


def web_page(projects: dict[int, SandboxState], target: str) -> Response:
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    default = projects[DEMO_PROJECT_ID]
    if authorize := _AUTHORIZE.fullmatch(parts.path):
        return _page(default, 200, _authorize(authorize, query), target)
    for pattern, describe in PAGES:
        if match := pattern.fullmatch(parts.path):
            project = match.groupdict().get("project")
            if project is None:
                return _page(default, 200, describe(default, match, query), target)
            state = projects.get(int(project)) if project.isdigit() else None
            if state is None:
                return _page(
                    default,
                    404,
                    f"a “project not found” page: there is no project {html.escape(project)} here",
                    target,
                )
            return _page(state, 200, describe(state, match, query), target)
    return _page(default, 404, "a page of its web app that the sandbox does not know", target)


def _authorize(match: re.Match[str], query: dict[str, list[str]]) -> str:
    kind = html.escape(query.get("kind", ["?"])[-1])
    after = html.escape(query.get("next", ["/"])[-1])
    return (
        "where a <strong>logged-in</strong> PostHog user starts connecting "
        f"<strong>{kind}</strong>: PostHog sends the browser to {kind}'s consent screen, "
        f"creates the integration in its callback and returns to <code>{after}</code>. "
        "PostHog refuses this to personal API keys, which is why the portal links here"
    )


def _page(state: SandboxState, status: int, description: str, target: str) -> Response:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>PostHog sandbox</title></head><body>"
        f"<h1>PostHog sandbox: {html.escape(state.project_name)}</h1>"
        f"<p>In PostHog this is {description}.</p>"
        "<p>The sandbox fakes PostHog's API only, not its web app, so there is nothing more to "
        f"see here. You asked for <code>{html.escape(target)}</code>.</p></body></html>"
    )
    return Response(status, body, content_type="text/html; charset=utf-8")
