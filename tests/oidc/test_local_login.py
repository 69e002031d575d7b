"""Local password login: kept beside single sign-on for a break-glass admin, and off when
LOCAL_LOGIN is off (the form is gone, its POST refused, and no password backend remains)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.conftest import PASSWORD
from tests.oidc.conftest import configure


@pytest.fixture
def local_login_off(sso_without_provider):
    configure(sso_without_provider, "http://127.0.0.1:9", local_login=False)


def test_a_break_glass_admin_logs_in_with_a_password_beside_single_sign_on(
    sso_without_provider, client, admin
):
    response = client.post("/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_local_login_off_the_password_form_is_gone(local_login_off, client):
    page = client.get("/login/")
    assert b"Sign in with Test IdP" in page.content
    assert b'name="password"' not in page.content
    assert b"break-glass" not in page.content


def test_with_local_login_off_a_password_post_is_refused(local_login_off, client, admin):
    response = client.post("/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 403
    assert b"Password sign-in is turned off" in response.content
    assert client.get("/sandbox/").status_code == 302, "not signed in"


def test_with_local_login_off_the_admins_own_login_form_refuses_passwords_too(
    local_login_off, client, admin
):
    client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    assert client.get("/sandbox/").status_code == 302


def test_with_local_login_off_an_admin_from_the_provider_still_manages_users(
    local_login_off, client, admin
):
    # Permissions come from the OIDC backend (a ModelBackend) once the password one is gone.
    assert not admin.is_superuser
    assert Group.objects.get(name="Admin").permissions.exists()
    client.force_login(admin, backend="adminui.accounts.oidc.PortalOIDCBackend")
    assert client.get("/admin/auth/user/").status_code == 200
