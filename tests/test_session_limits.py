"""How long a login lasts: an idle timeout and an absolute lifetime (both configurable), and an
Admin's "log out everywhere" for a user, which holds with the database or the cache as the
session store."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client

from adminui.accounts.sessions import LOGIN_AT, SEEN_AT
from tests.conftest import PASSWORD, logged_in

PAGE = "/sandbox/keys/"


def backdate(client: Client, **hours_ago: float) -> None:
    """Pretend the login began (`login`) or the last request came (`seen`) hours ago."""
    session = client.session
    for name, key in (("login", LOGIN_AT), ("seen", SEEN_AT)):
        if name in hours_ago:
            session[key] = time.time() - hours_ago[name] * 3600
    session.save()


def sent_to_login_with(client: Client, reason: str) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert reason in client.get(response["Location"]).content.decode()
    assert client.get(PAGE).status_code == 302  # and it stays over


def test_a_session_idle_longer_than_the_timeout_is_over(viewer_client):
    backdate(viewer_client, login=5, seen=4.1)
    sent_to_login_with(
        viewer_client, "You were logged out after 4 hours without activity: please log in again."
    )


def test_activity_keeps_a_session_going(viewer_client):
    backdate(viewer_client, login=5, seen=3.9)
    assert viewer_client.get(PAGE).status_code == 200
    assert time.time() - viewer_client.session[SEEN_AT] < 60  # the request counted as activity
    backdate(viewer_client, seen=3.9)
    assert viewer_client.get(PAGE).status_code == 200


def test_however_active_a_login_ends_at_its_maximum_age(viewer_client):
    backdate(viewer_client, login=12.1, seen=0)
    sent_to_login_with(viewer_client, "Logins last 12 hours: please log in again.")


def test_both_limits_come_from_the_settings(viewer_client, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    backdate(viewer_client, seen=0.6)
    sent_to_login_with(viewer_client, "You were logged out after 30 minutes without activity")


def test_the_session_cookie_expires_with_the_maximum_age(client, viewer, settings):
    response = client.post("/login/", {"username": "vic", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 12 * 3600


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"]
)
def test_an_admin_logs_a_user_out_on_every_device(viewer, admin, settings, engine):
    settings.SESSION_ENGINE = engine
    admin_client, laptop, phone = logged_in(admin), logged_in(viewer), logged_in(viewer)
    assert laptop.get(PAGE).status_code == phone.get(PAGE).status_code == 200
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "log_out_everywhere", "_selected_action": [viewer.pk]},
        follow=True,
    )
    assert "Logged out 1 user(s) on every device." in response.content.decode()
    for device in (laptop, phone):
        sent_to_login_with(device, "An Admin logged you out on every device")
    # Logging in again works, from then on.
    again = Client()
    again.post("/login/", {"username": "vic", "password": PASSWORD})
    assert again.get(PAGE).status_code == 200


def test_logging_out_everywhere_leaves_other_users_logged_in(viewer, editor, admin_client):
    viewer_session, editor_session = logged_in(viewer), logged_in(editor)
    admin_client.post(
        "/admin/auth/user/", {"action": "log_out_everywhere", "_selected_action": [viewer.pk]}
    )
    assert viewer_session.get(PAGE).status_code == 302
    assert editor_session.get(PAGE).status_code == 200


def test_a_session_from_before_the_limits_must_log_in_again(viewer_client):
    session = viewer_client.session
    del session[LOGIN_AT]
    session.save()
    sent_to_login_with(viewer_client, "Please log in again.")


@pytest.mark.parametrize("value", ["4 hours", "0", "-1h", "h"])
def test_a_malformed_duration_stops_start_up(value):
    from tests.test_settings import manage

    result = manage("check", SESSION_IDLE_TIMEOUT=value)
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT must be a duration such as 90s, 30m, 4h or 14d" in result.stderr


def test_durations_are_read_in_seconds_minutes_hours_or_days():
    from tests.test_settings import manage

    show = "from django.conf import settings as s; print(s.SESSION_IDLE_TIMEOUT, s.SESSION_MAX_AGE)"
    result = manage("shell", "-c", show, SESSION_IDLE_TIMEOUT="90m", SESSION_MAX_AGE="2d")
    assert result.stdout.strip().endswith("1:30:00 2 days, 0:00:00")


def test_an_htmx_request_after_the_session_ended_sends_the_whole_page_to_log_in(viewer_client):
    backdate(viewer_client, seen=5)
    response = viewer_client.get(
        f"{PAGE}?q=open",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sandbox/keys/?q=o"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/sandbox/keys/%3Fq%3Do"
