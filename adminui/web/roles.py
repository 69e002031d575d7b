"""The portal's three roles, stored as Django groups (made by migration 0002_roles).

Viewer reads everything; Editor also manages provider keys, sets the active key and runs
summaries; Admin does everything, including managing users in Django's admin. Roles are checked
in views with `role_required`, never only in templates.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from adminui.posthog import PostHogEnvironment, get_environments


class Role(enum.IntEnum):
    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.title()


GROUP_NAMES = {role: role.label for role in Role}


def role_of(user: User | AnonymousUser) -> Role | None:
    """The highest role among the user's groups; superusers are Admins; None without any."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    # Read once per user object (a request's user), as Django's own backend caches permissions.
    names = getattr(user, "_adminui_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._adminui_group_names = names  # type: ignore[attr-defined]
    granted = [role for role in Role if role.label in names]
    return max(granted, default=None)


def role_in(user: User | AnonymousUser, environment: PostHogEnvironment) -> Role | None:
    """The user's role in one environment; None: the environment is hidden from them."""
    return role_of(user)


def visible_environments(user: User | AnonymousUser) -> list[PostHogEnvironment]:
    """The environments the user may see, in the configured order."""
    return [env for env in get_environments().values() if role_in(user, env) is not None]


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    current = role_of(user)
    return current is not None and current >= role


class RoleRequired(PermissionDenied):
    """Raised when the user's role is below what a view needs; the 403 page shows the message."""

    def __init__(self, needed: Role, current: Role | None) -> None:
        self.needed, self.current = needed, current
        if current is None:
            message = "Your account has no role in adminui yet. Ask an Admin to give you one."
        else:
            message = (
                f"This needs the {needed.label} role; you are a {current.label}. "
                "Ask an Admin if you need to make this change."
            )
        super().__init__(message)


def role_required(role: Role) -> Callable:
    """View decorator: refuse with 403 unless the user has at least `role`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            environment = kwargs.get("environment")
            if isinstance(environment, PostHogEnvironment):
                current = role_in(request.user, environment)
                if current is None and role_of(request.user) is not None:
                    raise Http404("No such environment.")
            else:
                current = role_of(request.user)
            if current is None or current < role:
                raise RoleRequired(role, current)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
