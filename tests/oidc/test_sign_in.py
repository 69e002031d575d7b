"""Sign-in with a real OpenID Connect provider on loopback, driven over HTTP like a browser."""

from __future__ import annotations

import dataclasses
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth.models import User

from adminui.accounts.models import ExternalIdentity
from adminui.accounts.oidc_config import parse_role_groups
from adminui.posthog import get_environment
from adminui.web.roles import Role, role_in, role_of
from tests.conftest import PASSWORD as LOCAL_PASSWORD
from tests.conftest import make_user
from tests.oidc.conftest import PASSWORD, PROVIDER_NAME, form_of, sign_in


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def test_the_login_page_offers_the_provider_and_keeps_the_password_form(sso, live_server):
    page = requests.get(f"{live_server.url}/login/", timeout=10)
    assert f"Sign in with {PROVIDER_NAME}" in page.text
    assert 'name="password"' in page.text
    assert "break-glass" in page.text


def test_without_oidc_the_login_page_has_no_provider_button(client, db):
    page = client.get("/login/")
    assert b"Sign in with" not in page.content
    assert client.get("/oidc/authenticate/").status_code == 404


def test_first_sign_in_creates_the_user_with_the_mapped_role(sso, live_server, browser):
    landing = sign_in(browser, live_server.url, "eddie")
    assert landing.url == f"{live_server.url}/sandbox/", landing.url
    assert "Overview" in landing.text
    assert "Editor" in landing.text
    user = User.objects.get(username="eddie")
    assert role_of(user) == Role.EDITOR
    assert (user.email, user.first_name, user.last_name) == ("eddie@example.com", "Eddie", "Ng")
    assert not user.has_usable_password(), "people from the provider sign in there only"
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.issuer, "eddie")
    assert identity.last_groups == ["ml"]


@pytest.mark.parametrize(
    ("login", "role"),
    [("ada", Role.ADMIN), ("vera", Role.VIEWER)],
    ids=["two-groups-highest-wins", "viewer"],
)
def test_groups_map_to_roles_and_the_highest_wins(sso, live_server, browser, login, role):
    sign_in(browser, live_server.url, login)
    assert role_of(User.objects.get(username=login)) == role


def test_the_role_follows_the_groups_at_every_sign_in(sso, live_server):
    with requests.Session() as first:
        sign_in(first, live_server.url, "eddie")
    assert role_of(User.objects.get(username="eddie")) == Role.EDITOR
    sso.set_groups("eddie", ["staff", "unrelated"])
    with requests.Session() as second:
        sign_in(second, live_server.url, "eddie")
    user = User.objects.get(username="eddie")
    assert role_of(user) == Role.VIEWER
    assert list(user.groups.values_list("name", flat=True)) == ["Viewer"]
    sso.set_groups("eddie", ["ai-team", "portal-admins"])
    with requests.Session() as third:
        sign_in(third, live_server.url, "eddie")
    assert role_of(User.objects.get(username="eddie")) == Role.ADMIN
    assert ExternalIdentity.objects.count() == 1


def test_groups_that_grant_nothing_create_no_account_and_say_why(sso, live_server, browser):
    landing = sign_in(browser, live_server.url, "nina")
    assert landing.url == f"{live_server.url}/login/"
    assert "none of your groups there gives a role in adminui" in landing.text
    assert not User.objects.filter(username="nina").exists()
    assert browser.get(f"{live_server.url}/sandbox/", timeout=10).url.startswith(
        f"{live_server.url}/login/"
    )
    # The sentence is shown once, not on every later visit.
    assert "none of your groups" not in browser.get(f"{live_server.url}/login/").text


def test_leaving_every_mapped_group_removes_the_role_and_refuses_sign_in(sso, live_server):
    with requests.Session() as first:
        sign_in(first, live_server.url, "vera")
    sso.set_groups("vera", ["marketing"])
    with requests.Session() as second:
        landing = sign_in(second, live_server.url, "vera")
    assert "none of your groups there gives a role" in landing.text
    vera = User.objects.get(username="vera")
    assert role_of(vera) is None, "kept for the audit log's history, without a role"


def test_groups_give_roles_in_given_environments_and_follow_the_provider(
    sso, settings, live_server
):
    settings.OIDC = dataclasses.replace(
        settings.OIDC,
        role_grants=parse_role_groups(
            "Editor=ml;Viewer@prod=ml;None@staging=ml;Viewer@sandbox=marketing"
        ),
    )
    with requests.Session() as first:
        sign_in(first, live_server.url, "eddie")
    eddie = User.objects.get(username="eddie")
    assert role_of(eddie) == Role.EDITOR
    assert dict(eddie.environment_roles.values_list("environment", "role")) == {
        "prod": "viewer",
        "staging": "none",
    }
    sso.set_groups("eddie", ["ml", "marketing"])
    with requests.Session() as second:
        sign_in(second, live_server.url, "eddie")
    assert dict(eddie.environment_roles.values_list("environment", "role")) == {
        "prod": "viewer",
        "staging": "none",
        "sandbox": "viewer",
    }
    # Nina's only group gives a role in one environment: she signs in and sees just that one.
    with requests.Session() as browser:
        landing = sign_in(browser, live_server.url, "nina")
    assert landing.url == f"{live_server.url}/sandbox/", landing.url
    nina = User.objects.get(username="nina")
    assert role_of(nina) is None and role_in(nina, get_environment("sandbox")) == Role.VIEWER
    sso.set_groups("eddie", ["staff"])
    with requests.Session() as third:
        refused = sign_in(third, live_server.url, "eddie")
    assert "none of your groups there gives a role" in refused.text
    assert not eddie.environment_roles.exists(), "the provider decides every role"


def test_a_provider_login_never_takes_over_a_local_account_of_the_same_name(
    sso, live_server, browser, django_user_model
):
    local = make_user(django_user_model, "ada", "Viewer")
    sign_in(browser, live_server.url, "ada")
    local.refresh_from_db()
    assert role_of(local) == Role.VIEWER
    assert local.check_password(LOCAL_PASSWORD)
    assert role_of(User.objects.get(username="ada-2")) == Role.ADMIN


def test_logout_ends_the_portal_session_and_the_providers(sso, live_server, browser):
    sign_in(browser, live_server.url, "vera")
    browser.get(f"{live_server.url}/sandbox/", timeout=10)
    confirm = browser.post(
        f"{live_server.url}/logout/",
        headers={"X-CSRFToken": browser.cookies.get("csrftoken")},
        timeout=10,
    )
    assert confirm.url.startswith(f"{sso.issuer}/session/end"), confirm.url
    assert browser.get(f"{live_server.url}/sandbox/", timeout=10).url.startswith(
        f"{live_server.url}/login/"
    )
    action, fields = form_of(confirm, r'<form[^>]*id="op.logoutForm"[^>]*>')
    back = browser.post(action, data={**fields, "logout": "yes"}, timeout=10)
    assert back.url == f"{live_server.url}/login/"
    # The provider forgot the person too: signing in again asks for the password.
    again = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10)
    assert 'name="password"' in again.text and again.url.startswith(sso.issuer)


def test_an_answer_to_a_sign_in_this_browser_did_not_start_is_refused(sso, live_server, browser):
    login_form = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10)
    action, _ = form_of(login_form)
    with requests.Session() as attacker:
        attacker_form = attacker.get(f"{live_server.url}/oidc/authenticate/", timeout=10)
        attacker_action, _ = form_of(attacker_form)
        # The attacker's own callback URL (their code, their state), never followed by them...
        answer = attacker.post(
            attacker_action,
            data={"login": "ada", "password": "idp-password"},
            allow_redirects=False,
            timeout=10,
        )
        while "/oidc/callback/" not in answer.headers.get("Location", ""):
            next_url = urljoin(answer.url, answer.headers["Location"])
            answer = attacker.get(next_url, allow_redirects=False, timeout=10)
        callback = answer.headers["Location"]
    # ...is planted on the victim, whose session started a different sign-in.
    landing = browser.get(callback, timeout=10)
    assert landing.url.startswith(f"{live_server.url}/login/")
    assert "could not be verified" in landing.text
    assert not User.objects.filter(username="ada").exists()
    assert action  # the victim's own sign-in is still pending, untouched


def test_an_unreachable_provider_is_explained_on_the_login_page(
    sso, live_server, browser, settings
):
    settings.OIDC = dataclasses.replace(settings.OIDC, issuer="http://127.0.0.1:9")
    landing = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=20)
    assert landing.url == f"{live_server.url}/login/"
    assert f"Sign-in with {PROVIDER_NAME} is unavailable" in landing.text
    assert "http://127.0.0.1:9/.well-known/openid-configuration" in landing.text
    assert "or use a local account" in landing.text


def test_sign_in_returns_to_the_page_that_asked_for_it(sso, live_server, browser):
    login_page = browser.get(f"{live_server.url}/sandbox/keys/", timeout=10)
    assert login_page.url == f"{live_server.url}/login/?next=/sandbox/keys/"
    assert "/oidc/authenticate/?next=/sandbox/keys/" in login_page.text
    action, _ = form_of(browser.get(f"{live_server.url}/oidc/authenticate/?next=/sandbox/keys/"))
    landing = browser.post(action, data={"login": "vera", "password": PASSWORD}, timeout=20)
    assert landing.url == f"{live_server.url}/sandbox/keys/"


def test_admins_see_who_signs_in_with_the_provider_and_their_groups(sso, live_server, browser):
    sign_in(browser, live_server.url, "ada")
    page = browser.get(f"{live_server.url}/admin/adminui/externalidentity/", timeout=10)
    assert page.status_code == 200
    assert "portal-admins" in page.text
    assert "Add external identity" not in page.text
