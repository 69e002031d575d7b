"""What `manage.py grant` and `manage.py revoke` share: finding the user and the environment,
each refused with a clear CommandError (a non-zero exit code)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import CommandError

from adminui.accounts.models import EnvironmentRole
from adminui.posthog import get_environments
from adminui.web.roles import NO_ACCESS, STORED_ROLES, Role

ROLE_CHOICES = ", ".join([*(role.name.lower() for role in Role), NO_ACCESS])


def user_called(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"There is no user called {username!r}.") from None


def role_called(name: str) -> Role | None:
    """viewer, editor or admin in any case; none: no access (None)."""
    try:
        return STORED_ROLES[name.strip().lower()]
    except KeyError:
        raise CommandError(f"{name!r} is not a role: use one of {ROLE_CHOICES}.") from None


def configured_environment(slug: str, user: User | None = None) -> str:
    """A configured environment's slug; with `user`, also one they have a role of their own in
    (so a role in an environment no longer configured can still be revoked)."""
    if slug in get_environments():
        return slug
    if user is not None and EnvironmentRole.objects.filter(user=user, environment=slug).exists():
        return slug
    known = ", ".join(get_environments())
    raise CommandError(f"There is no environment {slug!r}: the environments are {known}.")
