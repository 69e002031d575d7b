"""Every page needs a login, and roles are enforced in the views, even for hand-made requests."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX, PASSWORD

# Sample values for each path converter, to build every URL the portal has.
SAMPLES = {
    "env": "sandbox",
    "id": demo.KEY_STAGING_OPENAI,
    "uuid": demo.EVAL_ANSWER_RELEVANCE,
    "int": str(demo.GITHUB_INTEGRATION_ID),
    "str": "x",
    "slug": "x",
    "path": "x",
}
NOT_PORTAL_WRITES = {"login", "logout"}
# POSTs any role may make because they only make PostHog read again.
VIEWER_SAFE_POSTS = {"integration-twilio-refresh"}


def every_url(patterns=None, prefix: str = "") -> list[tuple[str, str]]:
    """(name, url) for every route except Django's admin, converters filled with samples."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            found += every_url(pattern.url_patterns, route)
        elif pattern.name not in NOT_PORTAL_WRITES:
            url = re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], route)
            found.append((pattern.name, "/" + url.lstrip("^").rstrip("$")))
    return found


PORTAL_URLS = every_url()


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


def test_an_account_without_a_role_cannot_read_anything(nobody_client):
    response = nobody_client.get("/sandbox/keys/")
    assert response.status_code == 403
    assert b"no role in adminui yet" in response.content


def test_the_route_walk_finds_the_write_urls():
    names = {name for name, _ in PORTAL_URLS}
    assert {"key-add", "key-delete", "key-activate", "key-bulk-validate"} <= names


@pytest.mark.parametrize(("name", "url"), PORTAL_URLS, ids=[name for name, _ in PORTAL_URLS])
def test_a_viewer_cannot_write_anywhere_even_with_a_hand_made_post(
    viewer_client, sandbox, name, url
):
    response = viewer_client.post(url, {"name": "x", "kind": "github", "filter": "all"})
    # 405: the URL only reads; 403: it writes and the role is checked in the view.
    if name not in VIEWER_SAFE_POSTS:
        assert response.status_code in (403, 405), f"{name} accepted a Viewer's POST"
    if response.status_code == 403:
        assert b"you are a Viewer" in response.content
    assert not [r for r in sandbox.requests if r[0] != "GET"], "nothing was sent to PostHog"
    assert not AuditEvent.objects.exists()


def test_a_viewer_gets_the_role_message_as_a_fragment_from_htmx(viewer_client):
    response = viewer_client.post("/sandbox/keys/add/", headers=HTMX)
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


def test_opening_an_actions_address_explains_itself_instead_of_a_blank_405(editor_client):
    response = editor_client.get("/sandbox/keys/validate/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"has no page of its own" in response.content
