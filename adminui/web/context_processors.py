"""Values every page's layout needs: environments, the current one, the user's role."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from adminui import __version__
from adminui.alerts.service import open_alert_count
from adminui.ops.shared import deprecation_notice
from adminui.posthog import get_environments
from adminui.web.roles import Role, role_of, visible_environments


def portal(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    environment = match.kwargs.get("environment") if match else None
    environments = list(get_environments().values())
    role = role_of(request.user)
    deprecation = None
    if role == Role.ADMIN:
        # Only a pinned prefix needs an operator: with `auto` the portal follows PostHog itself.
        for candidate in environments:
            if candidate.api_prefix == "environments":
                deprecation = deprecation or deprecation_notice(candidate)
    return {
        "environments": environments,
        "environment": environment or environments[0],
        "role": role,
        "can_edit": role is not None and role >= Role.EDITOR,
        "is_admin": role == Role.ADMIN,
        "deprecation": deprecation,
        "adminui_version": __version__,
        "key_rotation_days": settings.KEY_ROTATION_DAYS,
        # Called by the navigation only: pages without it cost no query.
        "open_alert_count": lambda: open_alert_count(
            env.slug for env in visible_environments(request.user)
        ),
    }
