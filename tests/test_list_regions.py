"""A key list drawn from its copy of PostHog's answer is kept drawn for the next request of the
same URL and role: with that request's own CSRF token and copy age, for nobody of another role,
and drawn again after a write through the portal or a change in the key history it filters."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from adminui.keys import views
from adminui.keys.history import Trigger, record_states
from adminui.keys.models import KeyStateChange
from adminui.posthog import get_client, get_environment
from adminui.sandbox import demo
from tests.conftest import HTMX, listed_key_names, make_user, validate_in_the_background

KEYS = "/sandbox/keys/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def region_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<div id="key-region"') :]


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def test_the_same_list_again_is_drawn_as_before_with_its_own_token_and_age(
    editor_client, monkeypatch, drawings
):
    first = editor_client.get(KEYS, {"o": "name"})
    later = time.time() + 42
    monkeypatch.setattr("adminui.web.listcopy.time", SimpleNamespace(time=lambda: later))
    again = editor_client.get(KEYS, {"o": "name"})
    drawn = without_tokens(region_of(first)).replace("As of 0 s ago", "As of 42 s ago")
    assert without_tokens(region_of(again)) == drawn
    # Its forms (bulk validation, each row's actions) carry this response's token, not the first's.
    first_tokens, tokens = (
        set(TOKEN.findall(region_of(first))),
        set(TOKEN.findall(region_of(again))),
    )
    assert len(first_tokens) == len(tokens) == 1 and tokens != first_tokens
    assert len(drawings) == 1


@pytest.fixture
def drawings(monkeypatch) -> list[str]:
    """The URL of each key page or key region drawn (not taken from the cache)."""
    drawn: list[str] = []
    draw = views.key_region_context

    def counted(environment, inventory, params):
        drawn.append(params.urlencode())
        return draw(environment, inventory, params)

    monkeypatch.setattr(views, "key_region_context", counted)
    return drawn


def test_the_same_list_again_is_not_drawn_again_but_a_refresh_or_a_stray_parameter_is(
    viewer_client, drawings
):
    for _ in range(3):
        viewer_client.get(KEYS, {"q": "openai"})
        viewer_client.get(KEYS, {"q": "openai"}, headers=HTMX)
    assert drawings == ["q=openai", "q=openai"]  # the page and its region, once each
    viewer_client.get(KEYS, {"q": "openai", "refresh": 1})
    viewer_client.get(KEYS, {"q": "openai", "utm": "x"})
    viewer_client.get(KEYS, {"q": "openai", "utm": "x"})
    assert drawings[2:] == ["q=openai&refresh=1", "q=openai&utm=x", "q=openai&utm=x"]


def test_another_editor_gets_the_region_with_a_token_of_their_own_that_posts(
    editor_client, django_user_model, sandbox, drawings
):
    editor_client.get(KEYS)  # drawn for the first editor
    colleague = Client(enforce_csrf_checks=True)
    colleague.force_login(make_user(django_user_model, "edna", "Editor"))
    token = TOKEN.search(region_of(colleague.get(KEYS)))  # from the cache
    assert token is not None
    assert len(drawings) == 1
    answer = colleague.post(f"{KEYS}validate/", {"csrfmiddlewaretoken": token[1]})
    assert answer.status_code == 302  # the bulk validation was queued, not refused (403)


def test_a_region_drawn_for_a_viewer_is_not_the_one_an_editor_gets(viewer_client, editor_client):
    assert "Validate selected" not in viewer_client.get(KEYS).content.decode()
    assert "Validate selected" in editor_client.get(KEYS).content.decode()
    assert "Validate selected" not in viewer_client.get(KEYS).content.decode()


def test_a_write_through_the_portal_draws_the_list_again(viewer_client, editor, sandbox):
    assert "Claude judges" in listed_key_names(viewer_client.get(KEYS))
    sandbox.state.provider_keys[demo.KEY_CLAUDE].name = "Claude, renamed in PostHog"
    validate_in_the_background(editor, demo.KEY_CLAUDE)
    assert "Claude, renamed in PostHog" in listed_key_names(viewer_client.get(KEYS))


def test_the_changed_filter_follows_the_key_history_a_sweep_writes(viewer_client):
    viewer_client.get(KEYS)  # the first listing records every key's state
    KeyStateChange.objects.update(at=timezone.now() - timedelta(days=2))
    assert listed_key_names(viewer_client.get(KEYS, {"changed": "24h"})) == []
    claude = get_client(get_environment()).get_provider_key(demo.KEY_CLAUDE)
    revoked = replace(claude, state="invalid", error_message="Invalid API key")
    record_states(get_environment(), [revoked], trigger=Trigger.SCHEDULE)  # no portal write
    assert listed_key_names(viewer_client.get(KEYS, {"changed": "24h"})) == ["Claude judges"]
