"""Values every page's layout needs: the environments the user sees, the current one, and the
user's role in it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from adminui import __version__
from adminui.alerts.service import open_alert_count
from adminui.ops.shared import deprecation_notice
from adminui.posthog import PostHogEnvironment, get_environment
from adminui.web.roles import Role, has_role, role_in, visible_environments


def portal(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    environments = visible_environments(request.user)
    environment = match.kwargs.get("environment") if match else None
    if not isinstance(environment, PostHogEnvironment) or environment not in environments:
        # A page of no environment (or the 404 of a hidden one): the first the user sees. The
        # layout links to one even for someone who sees none (their pages explain the refusal).
        environment = environments[0] if environments else get_environment()
    role = role_in(request.user, environment) if environment in environments else None
    deprecation = None
    for candidate in environments:
        # Only a pinned prefix needs an operator: with `auto` the portal follows PostHog itself.
        pinned = candidate.api_prefix == "environments"
        if pinned and role_in(request.user, candidate) == Role.ADMIN:
            deprecation = deprecation or deprecation_notice(candidate)
    return {
        "environments": environments,
        "environment": environment,
        "role": role,
        "can_edit": role is not None and role >= Role.EDITOR,
        "is_admin": role == Role.ADMIN,
        # Django's admin (users and roles) needs the default Admin role, not one environment's.
        "manages_users": has_role(request.user, Role.ADMIN),
        "deprecation": deprecation,
        "adminui_version": __version__,
        "key_rotation_days": settings.KEY_ROTATION_DAYS,
        # Called by the navigation only: pages without it cost no query.
        "open_alert_count": lambda: open_alert_count(env.slug for env in environments),
    }
