"""Giving roles per environment: `manage.py grant`/`revoke` for provisioning, and the roles
inline on a user's page in Django's admin."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from adminui.accounts.models import EnvironmentRole
from adminui.posthog import get_environment
from adminui.web.roles import Role, role_in, role_of
from tests.conftest import make_user

# The fixture is used by name (pytestmark): "prod" and "staging" are the environments.

pytestmark = pytest.mark.usefixtures("two_environments")


def manage(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def fresh(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def alice(db):
    return make_user(User, "alice", "Viewer")


def test_grant_sets_the_default_role_whatever_the_case(alice):
    out, _ = manage("grant", "alice", "EDITOR")
    assert out == "alice: Editor by default"
    assert role_of(fresh("alice")) == Role.EDITOR
    assert list(fresh("alice").groups.values_list("name", flat=True)) == ["Editor"]


def test_grant_with_an_environment_gives_a_role_there_only(alice):
    manage("grant", "alice", "editor", "--environment", "staging")
    out, _ = manage("grant", "alice", "None", "--environment", "prod")
    assert out == "alice: Viewer by default; no access to prod; Editor in staging"
    user = fresh("alice")
    assert role_in(user, get_environment("staging")) == Role.EDITOR
    assert role_in(user, get_environment("prod")) is None
    manage("grant", "alice", "admin", "--environment", "prod")
    assert EnvironmentRole.objects.filter(user=user).count() == 2, "one row per environment"
    assert role_in(fresh("alice"), get_environment("prod")) == Role.ADMIN


def test_revoke_with_an_environment_goes_back_to_the_default_role_there(alice):
    manage("grant", "alice", "none", "--environment", "prod")
    out, _ = manage("revoke", "alice", "--environment", "prod")
    assert out == "alice: Viewer by default"
    assert role_in(fresh("alice"), get_environment("prod")) == Role.VIEWER
    again, _ = manage("revoke", "alice", "--environment", "prod")
    assert again.splitlines()[0] == "alice had no role of their own in prod."


def test_revoke_alone_takes_the_default_role_and_leaves_the_environments_roles(alice):
    manage("grant", "alice", "editor", "--environment", "staging")
    out, _ = manage("revoke", "alice")
    assert out == "alice: no default role; Editor in staging"
    assert role_of(fresh("alice")) is None
    assert fresh("alice").groups.count() == 0


def test_a_role_in_an_environment_no_longer_configured_can_still_be_revoked(alice):
    EnvironmentRole.objects.create(user=alice, environment="retired", role="admin")
    manage("revoke", "alice", "--environment", "retired")
    assert not EnvironmentRole.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grant", "bob", "viewer"), "There is no user called 'bob'."),
        (("grant", "alice", "owner"), "'owner' is not a role: use one of viewer, editor, admin"),
        (
            ("grant", "alice", "viewer", "--environment", "qa"),
            "There is no environment 'qa': the environments are prod, staging.",
        ),
        (("grant", "alice", "none"), "to take away the default role run: manage.py revoke alice"),
        (("revoke", "bob"), "There is no user called 'bob'."),
        (("revoke", "alice", "--environment", "qa"), "There is no environment 'qa'"),
    ],
)
def test_mistakes_are_refused_with_a_clear_error_and_change_nothing(alice, args, message):
    with pytest.raises(CommandError) as error:
        manage(*args)
    assert message in str(error.value)
    assert role_of(fresh("alice")) == Role.VIEWER and not EnvironmentRole.objects.exists()


def test_granting_to_a_superuser_says_they_are_admin_everywhere_anyway(db):
    User.objects.create_superuser("root", password="x")
    out, err = manage("grant", "root", "none", "--environment", "prod")
    assert "root is a superuser, so an Admin everywhere" in err
    assert out == "root: superuser, so Admin in every environment"


def test_the_help_explains_default_and_environment_roles():
    grant = load_command_class("adminui", "grant").create_parser("manage.py", "grant")
    revoke = load_command_class("adminui", "revoke").create_parser("manage.py", "revoke")
    assert "`none` there means no access" in " ".join(grant.format_help().split())
    assert "the default role applies there again" in " ".join(revoke.format_help().split())


def change_page(user: User) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def user_form(user: User, *rows: tuple[str, str], initial: int = 0) -> dict:
    """The user's change form as the admin page posts it, with these per-environment rows."""
    data = {
        "username": user.username,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "environment_roles-TOTAL_FORMS": str(len(rows)),
        "environment_roles-INITIAL_FORMS": str(initial),
        "environment_roles-MIN_NUM_FORMS": "0",
        "environment_roles-MAX_NUM_FORMS": "1000",
    }
    existing = list(EnvironmentRole.objects.filter(user=user))
    for number, (environment, role) in enumerate(rows):
        data[f"environment_roles-{number}-environment"] = environment
        data[f"environment_roles-{number}-role"] = role
        data[f"environment_roles-{number}-user"] = str(user.pk)
        if number < initial:
            data[f"environment_roles-{number}-id"] = str(existing[number].pk)
    return data


def test_an_admin_gives_roles_per_environment_on_the_users_page(admin_client, alice):
    page = admin_client.get(change_page(alice)).text
    assert "Roles per environment" in page
    assert '<option value="prod">Production (prod)</option>' in page
    assert '<option value="none">No access</option>' in page
    saved = admin_client.post(
        change_page(alice), user_form(alice, ("prod", "none"), ("staging", "editor"))
    )
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert dict(alice.environment_roles.values_list("environment", "role")) == {
        "prod": "none",
        "staging": "editor",
    }


def test_two_rows_for_one_environment_are_refused(admin_client, alice):
    answer = admin_client.post(
        change_page(alice), user_form(alice, ("prod", "none"), ("prod", "editor"))
    )
    assert answer.status_code == 200
    assert "Please correct the duplicate data for environment" in answer.text
    assert not EnvironmentRole.objects.exists()


def test_a_row_of_an_environment_no_longer_configured_stays_shown(admin_client, alice):
    EnvironmentRole.objects.create(user=alice, environment="retired", role="admin")
    page = admin_client.get(change_page(alice)).text
    assert '<option value="retired" selected>retired (no longer configured)</option>' in page
    kept = admin_client.post(change_page(alice), user_form(alice, ("retired", "admin"), initial=1))
    assert kept.status_code == 302
    assert EnvironmentRole.objects.get().environment == "retired"


def test_only_the_default_admin_role_opens_the_users_pages(client, alice):
    abe = make_user(User, "abe", "Viewer")
    EnvironmentRole.objects.create(user=abe, environment="prod", role="admin")
    client.force_login(abe)
    assert client.get(change_page(alice)).status_code == 302
    Group.objects.get(name="Admin").user_set.add(abe)
    assert client.get(change_page(alice)).status_code == 200


def test_a_new_user_is_added_first_and_given_roles_per_environment_after(admin_client):
    page = admin_client.get("/admin/auth/user/add/").text
    assert "Roles per environment" not in page
    added = admin_client.post(
        "/admin/auth/user/add/", {"username": "newbie", "usable_password": "false"}
    )
    assert added.status_code == 302
    assert "Roles per environment" in admin_client.get(added["Location"]).text
