"""The portal's three roles: a default role per user, stored as a Django group (made by migration
0002_roles), and optionally another role, or no access, in given environments (`EnvironmentRole`).

Viewer reads everything; Editor also manages provider keys, sets the active key and runs
summaries; Admin does everything, including managing users in Django's admin. A user's role in
an environment is its `EnvironmentRole` if there is one, else the default role; an environment
where that is no role at all is hidden from them: it shows nowhere and its URLs answer 404.
Superusers are Admins everywhere; no `EnvironmentRole` restricts them. Roles are checked in
views with `role_required` (and re-checked by background tasks), never only in templates.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse

from adminui.accounts.models import EnvironmentRole
from adminui.posthog import PostHogEnvironment, get_environments


class Role(enum.IntEnum):
    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.title()


GROUP_NAMES = {role: role.label for role in Role}
# How an EnvironmentRole stores each role; "none" is no access to the environment.
NO_ACCESS = "none"
STORED_ROLES: dict[str, Role | None] = {role.name.lower(): role for role in Role} | {
    NO_ACCESS: None
}
# Where a user's roles are kept for the rest of the request (request.user is one object).
_CACHE_ATTRIBUTE = "_adminui_roles"


@dataclass(frozen=True)
class UserRoles:
    """Everything that decides a user's role anywhere, read in one query."""

    default: Role | None
    # Environment slug -> role there; None: no access.
    environments: Mapping[str, Role | None] = field(default_factory=dict)
    superuser: bool = False

    def role_in(self, slug: str) -> Role | None:
        if self.superuser:
            return Role.ADMIN
        return self.environments.get(slug, self.default)


NO_ROLES = UserRoles(default=None)


def roles_of(user: User | AnonymousUser) -> UserRoles:
    """The user's roles, read once per user object (so once per request) and kept on it."""
    if not user.is_authenticated or not user.is_active:
        return NO_ROLES
    if user.is_superuser:
        return UserRoles(default=Role.ADMIN, superuser=True)
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = stored_roles(user)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_roles(user: User) -> None:
    """After changing someone's roles: the next check on this object reads them again."""
    with suppress(AttributeError):  # not read yet
        delattr(user, _CACHE_ATTRIBUTE)  # (request.user is a lazy proxy: no __dict__ of its own)


def stored_roles(user: User) -> UserRoles:
    """What the database holds for this user (superuser or not, active or not)."""
    default: Role | None = None
    environments: dict[str, Role | None] = {}
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [user.pk, *GROUP_NAMES.values(), user.pk])
        for environment, name in cursor.fetchall():
            if environment:
                environments[environment] = STORED_ROLES.get(name)
            else:
                role = Role[name.upper()]
                default = role if default is None else max(default, role)
    return UserRoles(default=default, environments=environments)


@functools.cache
def _roles_sql() -> str:
    """One query for the role groups (environment "") and the per-environment rows together.
    Written out once: every request reads it, and the ORM took ten times as long to build the
    same union as the database took to answer it (bench/pages.py)."""
    quote = connection.ops.quote_name
    group, membership, per_environment = (
        Group._meta,
        User.groups.through._meta,
        EnvironmentRole._meta,
    )

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    group_names = ", ".join(["%s"] * len(GROUP_NAMES))
    return (
        f"SELECT '', g.{column(group, 'name')} FROM {quote(group.db_table)} g"
        f" JOIN {quote(membership.db_table)} m"
        f" ON m.{column(membership, 'group')} = g.{column(group, 'id')}"
        f" WHERE m.{column(membership, 'user')} = %s"
        f" AND g.{column(group, 'name')} IN ({group_names})"
        f" UNION ALL SELECT {column(per_environment, 'environment')},"
        f" {column(per_environment, 'role')} FROM {quote(per_environment.db_table)}"
        f" WHERE {column(per_environment, 'user')} = %s"
    )


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's default role (the highest of their role groups); superusers are Admins."""
    return roles_of(user).default


def role_in(user: User | AnonymousUser, environment: PostHogEnvironment) -> Role | None:
    """The user's role in one environment; None: the environment is hidden from them."""
    return roles_of(user).role_in(environment.slug)


def visible_environments(user: User | AnonymousUser) -> list[PostHogEnvironment]:
    """The environments the user may see, in the configured order."""
    roles = roles_of(user)
    return [env for env in get_environments().values() if roles.role_in(env.slug) is not None]


def is_hidden(user: User | AnonymousUser, environment: PostHogEnvironment) -> bool:
    """An environment this user must not learn about: they have a role elsewhere, not there.
    (Someone with no role anywhere is told to ask for one instead.)"""
    return role_in(user, environment) is None and bool(visible_environments(user))


def best_role(user: User | AnonymousUser) -> Role | None:
    """The highest role the user has in any environment they see (for pages of no one
    environment, such as the audit log, which then shows only what they see)."""
    roles = roles_of(user)
    granted = (roles.role_in(env.slug) for env in get_environments().values())
    return max((role for role in granted if role is not None), default=None)


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    """Whether the user's default role is at least `role` (Django's admin needs a default
    Admin: an Admin of one environment does not manage everyone's accounts)."""
    current = role_of(user)
    return current is not None and current >= role


def may_act(user: User | None, environment: PostHogEnvironment, role: Role) -> bool:
    """For background work done for `user`: whether they still have `role` there now."""
    current = role_in(user, environment) if user is not None else None
    return current is not None and current >= role


def refusal(needed: Role, current: Role | None, environment: PostHogEnvironment | None) -> str:
    """Why someone may not do something on a page, and what to do about it."""
    if current is None:
        return "Your account has no role in adminui yet. Ask an Admin to give you one."
    where = f" in {environment.name}" if environment is not None else ""
    return (
        f"This needs the {needed.label} role; you are a {current.label}{where}. "
        "Ask an Admin if you need to make this change."
    )


def no_longer_allowed(name: str, needed: Role, environment: PostHogEnvironment | str) -> str:
    """Why background work asked for earlier was not done (and nothing was sent to PostHog)."""
    where = environment.name if isinstance(environment, PostHogEnvironment) else environment
    return (
        f"Not sent to PostHog: {name or 'the person who asked'} no longer has the "
        f"{needed.label} role in {where}."
    )


class RoleRequired(PermissionDenied):
    """Raised when the user's role is below what a view needs; the 403 page shows the message."""

    def __init__(
        self, needed: Role, current: Role | None, environment: PostHogEnvironment | None = None
    ) -> None:
        self.needed, self.current = needed, current
        super().__init__(refusal(needed, current, environment))


def role_required(role: Role) -> Callable:
    """View decorator: 403 unless the user has at least `role` in the URL's environment (in a
    view of no environment: in some environment they see). An environment hidden from them
    never reaches a view: HiddenEnvironmentMiddleware answers it as unknown first.

    The wrapped view carries `required_role`, so tests can check every view states one."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            environment = kwargs.get("environment")
            if isinstance(environment, PostHogEnvironment):
                current = role_in(request.user, environment)
            else:
                environment, current = None, best_role(request.user)
            if current is None or current < role:
                raise RoleRequired(role, current, environment)
            return view(request, *args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


class HiddenEnvironmentMiddleware:
    """Answers every URL of a hidden environment with the page an unknown environment gets,
    whatever the method, before the view's own checks (a 405 would tell the URL exists)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        from adminui.web.errors import environment_not_found

        environment = kwargs.get("environment")
        if isinstance(environment, PostHogEnvironment) and is_hidden(request.user, environment):
            # Not even the layout's current section may tell that the address has a page.
            request.resolver_match = None
            return environment_not_found(request, environment.slug)
        return None
