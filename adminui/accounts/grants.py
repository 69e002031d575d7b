"""Giving and taking roles: the default role (a role group) and roles per environment
(`EnvironmentRole`). Used by `manage.py grant`/`revoke` and by single sign-on."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import Group, User
from django.db import transaction

from adminui.accounts.models import EnvironmentRole
from adminui.web.roles import GROUP_NAMES, NO_ACCESS, Role, forget_roles, stored_roles


def set_default_role(user: User, role: Role | None) -> None:
    """Make `role` the user's only role group (None: no default role); other groups stay."""
    user.groups.remove(*Group.objects.filter(name__in=GROUP_NAMES.values()))
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=GROUP_NAMES[role])[0])
    forget_roles(user)


def set_environment_role(user: User, environment: str, role: Role | None) -> None:
    """The user's role in one environment (by slug), in place of the default; None: no access."""
    EnvironmentRole.objects.update_or_create(
        user=user, environment=environment, defaults={"role": stored(role)}
    )
    forget_roles(user)


def remove_environment_role(user: User, environment: str) -> bool:
    """Back to the default role there; False if the user had no role of its own there."""
    deleted, _ = EnvironmentRole.objects.filter(user=user, environment=environment).delete()
    forget_roles(user)
    return bool(deleted)


@transaction.atomic
def replace_environment_roles(user: User, roles: Mapping[str, Role | None]) -> None:
    """Exactly these roles per environment (single sign-on: the provider decides them all)."""
    EnvironmentRole.objects.filter(user=user).exclude(environment__in=roles).delete()
    for environment, role in roles.items():
        set_environment_role(user, environment, role)


def stored(role: Role | None) -> str:
    return NO_ACCESS if role is None else role.name.lower()


def describe(user: User) -> str:
    """The user's roles in a line: "alice: Editor by default; Viewer in prod; no access to qa"."""
    if user.is_superuser:
        return f"{user.get_username()}: superuser, so Admin in every environment"
    roles = stored_roles(user)
    parts = [f"{roles.default.label} by default" if roles.default else "no default role"]
    for slug, role in sorted(roles.environments.items()):
        parts.append(f"{role.label} in {slug}" if role else f"no access to {slug}")
    inactive = "" if user.is_active else " (the account is inactive: no access anywhere)"
    return f"{user.get_username()}: {'; '.join(parts)}{inactive}"
