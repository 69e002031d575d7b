"""Login throttling: wrong passwords lock the account and, separately, the address they come from
(counted in the database, so every instance of the portal agrees); the login page says why and for
how long; an Admin can unlock; signing in without a password (OIDC) is not throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.backends import BaseBackend
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD

LOGIN = "/login/"
LOCKED = "Too many failed attempts; try again in 15 minutes or ask an Admin to unlock your account."


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client: Client, username: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        log_in(client, username, "wrong-password", address)


def test_after_too_many_wrong_passwords_the_right_one_is_refused_too(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "vic", "wrong-password").status_code == 200  # just "wrong"
    assert log_in(client, "vic", "wrong-password").status_code == 429  # the last straw
    response = log_in(client, "vic", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert 'value="vic"' in html  # what was typed is kept
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_every_address(client, viewer, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT, address="203.0.113.7")
    response = log_in(Client(), "vic", PASSWORD, address="198.51.100.20")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_an_address_trying_many_accounts_is_locked_for_all_of_them(
    client, viewer, editor, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess{n}", "wrong-password", address="203.0.113.7")
    assert log_in(Client(), "eddie", PASSWORD, address="203.0.113.7").status_code == 429
    # The same person from elsewhere is fine.
    assert log_in(Client(), "eddie", PASSWORD, address="198.51.100.20").status_code == 302


def test_failures_are_kept_in_the_database_for_every_instance(client, viewer, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="vic")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert "wrong-password" not in str(attempt.post_data)  # the password is never stored


def test_the_lock_ends_by_itself_after_the_cool_off(client, viewer, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT)
    earlier = AccessAttempt.objects.get(username="vic").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert log_in(client, "vic", PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_forgets_the_failures(client, viewer, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, "vic", PASSWORD).status_code == 302
    Client().post("/logout/")
    fail(Client(), "vic", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(Client(), "vic", PASSWORD).status_code == 302


def test_an_admin_unlocks_a_user_from_the_user_list(client, viewer, admin_client, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT, address="203.0.113.7")
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "unlock_login", "_selected_action": [viewer.pk]},
        follow=True,
    )
    assert "Unlocked login for 1 user(s)." in response.content.decode()
    assert log_in(Client(), "vic", PASSWORD, address="198.51.100.20").status_code == 302


def test_admins_see_failed_logins_and_can_delete_them(client, viewer, admin_client, settings):
    fail(client, "vic", settings.AXES_FAILURE_LIMIT)
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "vic" in page.content.decode()


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_counts(client, viewer, editor, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    # Another client behind the same proxy is not locked out.
    other = Client().post(
        LOGIN,
        {"username": "eddie", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302


class TokenBackend(BaseBackend):
    """Stands in for the OIDC backend: it signs people in without a password."""

    def authenticate(self, request, token=None, **kwargs):
        from django.contrib.auth.models import User

        return User.objects.get(username="vic") if token == "from-the-idp" else None


def test_the_throttle_comes_first_and_lets_passwordless_sign_in_through(client, viewer, settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "adminui.accounts.throttle.PasswordLoginThrottle"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "tests.test_login_throttling.TokenBackend",
    ]
    fail(client, "vic", settings.AXES_FAILURE_LIMIT)
    request = RequestFactory().get("/oidc/callback/", REMOTE_ADDR="127.0.0.1")
    assert authenticate(request, token="from-the-idp") == viewer


@pytest.mark.parametrize("limit", ["0", "many"])
def test_a_bad_limit_stops_start_up(limit):
    from tests.test_settings import manage

    result = manage("check", LOGIN_FAILURE_LIMIT=limit)
    assert result.returncode != 0 and "LOGIN_FAILURE_LIMIT" in result.stderr


def test_deleting_an_attempt_unlocks_the_address(client, viewer, admin_client, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess{n}", "wrong-password", address="203.0.113.7")
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert log_in(Client(), "vic", PASSWORD, address="203.0.113.7").status_code == 302


def test_a_viewer_cannot_see_or_clear_failed_logins(client, viewer_client):
    assert viewer_client.get("/admin/axes/accessattempt/").status_code == 302  # to admin login
