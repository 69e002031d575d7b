"""The header's environment switcher: for each environment the user may see, the link that
keeps them on the same screen there (a context processor, so every page has it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import ResolverMatch, reverse

from adminui.posthog import PostHogEnvironment
from adminui.web.roles import visible_environments

# A screen about one thing (a key, an evaluation, an integration) has no twin in another
# environment: the switcher goes to the list that thing is in. Longest prefix first.
CLOSEST_LIST = [
    ("key-", "key-list"),
    ("evaluation-", "evaluation-list"),
    ("summary-", "evaluation-list"),
    ("integration-", "integration-list"),
]
# Screens outside any environment whose counterpart in one environment is known.
COUNTERPART = {
    "environments": "overview",
    "environments-keys": "key-list",
    "alerts-across": "alert-list",
}


@dataclass(frozen=True)
class EnvironmentLink:
    environment: PostHogEnvironment
    url: str
    current: bool


def environment_switcher(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    current = match.kwargs.get("environment") if match else None
    if not isinstance(current, PostHogEnvironment):
        current = None
    user = getattr(request, "user", None)
    environments = visible_environments(user) if user is not None else []
    return {
        # The page belongs to one environment the user sees: its name goes in the title and
        # breadcrumbs (a hidden one's 404 page never names it).
        "environment_in_url": current is not None and current in environments,
        "environment_links": [
            EnvironmentLink(env, switched_url(request, match, env), env == current)
            for env in environments
        ],
    }


def switched_url(
    request: HttpRequest, match: ResolverMatch | None, environment: PostHogEnvironment
) -> str:
    """This screen in `environment` (with its filters) when it has only the environment in its
    URL, else the closest list there; the environment's overview for any other screen."""
    name = match.url_name if match else None
    if match is None or name is None:
        return reverse("overview", args=[environment])
    if "environment" in match.kwargs:
        if set(match.kwargs) == {"environment"}:
            query = request.GET.urlencode()
            return reverse(name, args=[environment]) + (f"?{query}" if query else "")
        target = next((lst for prefix, lst in CLOSEST_LIST if name.startswith(prefix)), "overview")
        return reverse(target, args=[environment])
    if name == "audit-log":
        return f"{reverse('audit-log')}?environment={environment.slug}"
    return reverse(COUNTERPART.get(name, "overview"), args=[environment])
