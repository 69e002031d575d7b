"""Every observed state of a key is recorded when it changes, whoever or whatever checked it;
the key page shows it as a timeline and the key list filters keys that changed recently."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.utils import timezone

from adminui.keys import history
from adminui.keys.history import record_states
from adminui.keys.models import KeyStateChange
from adminui.keys.sweep import sweep
from adminui.posthog import get_client, get_environment
from adminui.sandbox.demo import KEY_CLAUDE, KEY_OLD_ANTHROPIC, KEY_PRODUCTION_OPENAI
from tests.conftest import HTMX
from tests.summary_helpers import run_worker

KEYS = "/sandbox/keys/"
CLAUDE_PAGE = f"{KEYS}{KEY_CLAUDE}/"


def states_of(key_id: str) -> list[tuple[str, str, str]]:
    return [
        (change.from_state, change.to_state, change.trigger)
        for change in KeyStateChange.objects.filter(key_id=key_id).order_by("at", "id")
    ]


def test_a_persons_validation_records_the_change_with_who_did_it(
    quick_checks, editor_client, editor, sandbox
):
    editor_client.get(CLAUDE_PAGE)  # the page saw the key: valid
    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    editor_client.post(f"{CLAUDE_PAGE}validate/", headers=HTMX)
    editor_client.post(f"{CLAUDE_PAGE}validate/", headers=HTMX)  # the same again: no new row
    assert states_of(KEY_CLAUDE) == [("", "ok", "listing"), ("ok", "invalid", "person")]
    change = KeyStateChange.objects.first()
    assert (change.actor, change.actor_name, change.message) == (editor, "eddie", "Invalid API key")


def test_a_bulk_validation_records_its_changes_for_the_person_who_asked(
    quick_checks, editor_client, editor, sandbox
):
    sandbox.provider_answer(KEY_CLAUDE, "quota")
    editor_client.post(f"{KEYS}validate/", {"key": [KEY_CLAUDE]})
    run_worker()
    change = KeyStateChange.objects.get(key_id=KEY_CLAUDE)
    assert (change.to_state, change.failure_class, change.trigger, change.actor) == (
        "error",
        "quota",
        "bulk",
        editor,
    )


def test_the_key_list_records_states_it_is_the_first_to_see(viewer_client, sandbox):
    viewer_client.get(KEYS)
    assert states_of(KEY_OLD_ANTHROPIC) == [("", "invalid", "listing")]
    assert KeyStateChange.objects.count() == len(sandbox.state.provider_keys)
    viewer_client.get(KEYS)
    assert KeyStateChange.objects.count() == len(sandbox.state.provider_keys)


def test_a_list_read_from_its_copy_after_a_check_does_not_undo_it(
    viewer_client, quick_checks, snapshots, sandbox
):
    viewer_client.get(KEYS)  # from PostHog: recorded, and copied for re-filtering
    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    sweep()
    # The copy still says valid, but it was read before the check: it is not recorded again.
    viewer_client.get(KEYS, {"q": "Claude"})
    assert states_of(KEY_CLAUDE)[-1] == ("ok", "invalid", "schedule")


def test_a_message_with_a_secret_in_it_is_stored_redacted_and_only_once(db, sandbox):
    secret = "sk-proj-leaked-in-the-message-123456"
    failing = dataclasses.replace(
        get_client().get_provider_key(KEY_CLAUDE),
        state="invalid",
        error_message=f"Incorrect API key provided: {secret}",
    )
    record_states(get_environment(), [failing], trigger="listing")
    record_states(get_environment(), [failing], trigger="listing")  # the same again
    [change] = KeyStateChange.objects.filter(key_id=KEY_CLAUDE)
    assert secret not in change.message and change.message.startswith("Incorrect API key")


def test_a_change_two_requests_see_at_once_is_recorded_once(db, sandbox, monkeypatch):
    key = get_client().get_provider_key(KEY_CLAUDE)
    record_states(get_environment(), [key], trigger="listing")
    failing = dataclasses.replace(key, state="invalid", error_message="Invalid API key")
    # Both requests read the last state before either stores what it saw.
    before = history.last_states(get_environment(), [KEY_CLAUDE])
    monkeypatch.setattr(history, "last_states", lambda *args: before)

    first = record_states(get_environment(), [failing], trigger="listing")
    second = record_states(get_environment(), [failing], trigger="listing")

    assert len(first) == 1 and second == []
    assert states_of(KEY_CLAUDE) == [("", "ok", "listing"), ("ok", "invalid", "listing")]


def test_the_key_page_shows_how_long_each_state_lasted_and_what_to_do(
    quick_checks, snapshots, viewer_client, sandbox
):
    sweep()
    KeyStateChange.objects.filter(key_id=KEY_CLAUDE).update(at=timezone.now() - timedelta(days=41))
    page = viewer_client.get(CLAUDE_PAGE).content.decode()
    assert "State over time" in page and "Valid for 1\xa0month" in page

    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    sweep()
    page = viewer_client.get(CLAUDE_PAGE).content.decode()
    now = timezone.localtime(KeyStateChange.objects.first().at)
    assert f"Invalid since {now:%H:%M}, “Invalid API key”" in page
    assert "Invalid or revoked key." in page and "rotate this one" in page
    assert "Changed from Valid by the scheduled check" in page


def test_the_list_filters_keys_whose_state_changed_recently(
    quick_checks, snapshots, viewer_client, sandbox
):
    sweep()  # first observations are not changes
    assert b"No keys match these filters" in viewer_client.get(f"{KEYS}?changed=24h").content
    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    sweep()
    KeyStateChange.objects.filter(key_id=KEY_PRODUCTION_OPENAI).update(
        at=timezone.now() - timedelta(days=3), from_state="error"
    )
    day = viewer_client.get(f"{KEYS}?changed=24h").content.decode()
    week = viewer_client.get(f"{KEYS}?changed=7d").content.decode()
    claude, production = f'id="key-{KEY_CLAUDE}"', f'id="key-{KEY_PRODUCTION_OPENAI}"'
    assert claude in day and production not in day
    assert claude in week and production in week
    assert '<option value="24h" selected>' in day
