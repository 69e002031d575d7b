"""Sandbox mode's demo accounts, one per role, and the login page's hint about them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from adminui.accounts.demo import DEMO_PASSWORD
from adminui.web.roles import Role, role_of


def test_the_command_creates_one_account_per_role(db):
    call_command("demo_users")
    roles = {user.username: role_of(user) for user in User.objects.all()}
    assert roles == {"admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER}
    assert User.objects.get(username="viewer").check_password(DEMO_PASSWORD)


def test_the_login_page_names_the_demo_accounts_in_sandbox_mode(client, db):
    call_command("demo_users")
    content = client.get("/login/").content.decode()
    assert "Sandbox mode." in content and "<code>editor</code> (Editor)" in content


def test_there_are_no_demo_accounts_against_a_real_posthog(client, db, settings):
    settings.POSTHOG_SANDBOX = False
    with pytest.raises(CommandError, match="only in sandbox mode"):
        call_command("demo_users")
    assert b"Sandbox mode." not in client.get("/login/").content
