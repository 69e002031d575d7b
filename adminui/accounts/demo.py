"""Demo accounts for sandbox mode, one per role, so a newcomer can try every screen."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, User

from adminui.web.roles import Role

DEMO_PASSWORD = "adminui-demo"
DEMO_USERS = {"admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER}


def ensure_demo_users() -> None:
    """Create (or reset) the demo accounts. Only ever called in sandbox mode."""
    if not settings.POSTHOG_SANDBOX:
        raise RuntimeError("Demo accounts exist only in sandbox mode.")
    for username, role in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.first_name = username.title()
        user.save()
        user.groups.set([Group.objects.get(name=role.label)])


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts that exist, for the login page's hint (sandbox mode only)."""
    if not settings.POSTHOG_SANDBOX:
        return []
    existing = set(User.objects.filter(username__in=DEMO_USERS).values_list("username", flat=True))
    return [(name, role.label) for name, role in DEMO_USERS.items() if name in existing]
