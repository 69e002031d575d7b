"""Every page needs a login, and roles are enforced in the views, even for hand-made requests."""

from __future__ import annotations

import pytest
from django.test import Client

from adminui.models import AuditEvent
from tests.conftest import PASSWORD


def some_key_id(_client) -> str:
    from adminui.posthog import get_client, get_environments

    environment = next(iter(get_environments().values()))
    return get_client(environment).list_provider_keys()[0].id


WRITE_URLS = [
    "/sandbox/keys/add/",
    "/sandbox/keys/check/",
    "/sandbox/keys/validate/",
    "/sandbox/keys/{key}/edit/",
    "/sandbox/keys/{key}/validate/",
    "/sandbox/keys/{key}/activate/",
    "/sandbox/keys/{key}/delete/",
]


def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client, db):
    for url in ["/", "/sandbox/", "/sandbox/keys/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_a_person_logs_in_with_their_own_account_and_sees_sandbox_data(client, viewer):
    response = client.post("/login/", {"username": "vic", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Overview" in response.content
    assert b"LLM provider keys" in response.content


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(client, viewer):
    response = client.post("/login/", {"username": "vic", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logging_out_needs_a_post_and_ends_the_session(viewer_client):
    assert viewer_client.get("/logout/").status_code == 405
    viewer_client.post("/logout/")
    assert viewer_client.get("/sandbox/").status_code == 302


def test_an_account_without_a_role_cannot_read_anything(client, nobody):
    client.force_login(nobody)
    response = client.get("/sandbox/keys/")
    assert response.status_code == 403
    assert b"no role in adminui yet" in response.content


@pytest.mark.parametrize("url", WRITE_URLS)
def test_a_viewer_cannot_write_even_with_a_hand_made_post(viewer_client, sandbox, url):
    response = viewer_client.post(url.format(key=some_key_id(viewer_client)), {"name": "x"})
    assert response.status_code == 403
    assert b"This needs the Editor role; you are a Viewer." in response.content
    assert not [r for r in sandbox.requests if r[0] != "GET"], "nothing was sent to PostHog"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("url", WRITE_URLS)
def test_a_viewer_gets_the_role_message_as_a_fragment_from_htmx(viewer_client, url):
    response = viewer_client.post(
        url.format(key=some_key_id(viewer_client)), headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert b"This needs the Editor role" in response.content
    assert b"<html" not in response.content


def test_writes_need_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/sandbox/keys/validate/")
    assert response.status_code == 403


def test_only_admins_reach_user_management(viewer_client, admin_client):
    assert viewer_client.get("/admin/").status_code == 302
    response = admin_client.get("/admin/auth/user/")
    assert response.status_code == 200
    assert b"vic" in response.content
    assert b"ada" in response.content


def test_the_roles_exist_as_groups_after_migrating(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Viewer", "Editor", "Admin"}
