"""Rotating a key in place: the new secret is checked first, stored on the same key (its id and
every evaluation using it stay), checked again, and audited with masked forms only."""

from __future__ import annotations

import json
import logging

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX, hog_validation_error

KEY = demo.KEY_PRODUCTION_OPENAI  # the active key; two evaluations are pinned to it
PAGE = f"/sandbox/keys/{KEY}/"
ROTATE = f"{PAGE}rotate/"
SECRET = "sk-proj-rotated-secret-value-4455"
OLD_MASKED = "sk-p...3GsU"
NEW_MASKED = "sk-p...4455"


def pinned_to(sandbox, key_id: str) -> list[str]:
    return sorted(
        evaluation.id
        for evaluation in sandbox.state.evaluations.values()
        if evaluation.model_configuration
        and evaluation.model_configuration.provider_key_id == key_id
    )


def calls(sandbox) -> list[tuple[str, str]]:
    """What reached PostHog's provider-key endpoints that writes or checks, in order."""
    return [
        (call.method, call.path.split("llm_analytics/", 1)[1])
        for call in sandbox.received(r"llm_analytics/provider_key")
        if call.method != "GET"
    ]


def rotate(client, secret: str = SECRET, **kwargs):
    return client.post(ROTATE, {"api_key": secret}, **kwargs)


def test_rotating_keeps_the_key_its_id_and_every_evaluation_using_it(editor_client, sandbox):
    before = pinned_to(sandbox, KEY)

    response = rotate(editor_client, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert sandbox.state.provider_keys[KEY].api_key == SECRET
    assert pinned_to(sandbox, KEY) == before and len(before) == 2
    assert sandbox.state.active_key_id == KEY
    assert len(sandbox.state.provider_keys) == len(demo._KEYS)  # no key added
    assert calls(sandbox) == [
        ("POST", "provider_key_validations/"),
        ("PATCH", f"provider_keys/{KEY}/"),
        ("POST", f"provider_keys/{KEY}/validate/"),
    ]
    assert json.loads(sandbox.received(r"provider_keys/[^/]+/$", "PATCH")[0].body) == {
        "api_key": SECRET
    }
    content = response.content.decode()
    assert f"Key “Production OpenAI” rotated ({OLD_MASKED} → {NEW_MASKED})" in content
    assert "checked again: valid" in content


def test_the_audit_log_records_one_rotation_with_the_old_and_new_masked_forms(
    editor_client, viewer_client
):
    rotate(editor_client)

    event = AuditEvent.objects.get(action="provider_key.rotate")
    assert (event.outcome, event.target_id, event.target_label) == (
        "success",
        KEY,
        "Production OpenAI",
    )
    assert event.details == {"old_key": OLD_MASKED, "new_key": NEW_MASKED}
    assert event.action_label == "rotated key"
    log = viewer_client.get("/audit/", {"action": "provider_key.rotate"}).content.decode()
    assert "Rotated key" in log  # the action filter offers it
    assert f"new_key={NEW_MASKED}" in log


def test_a_new_key_the_provider_refuses_changes_nothing_and_nothing_is_patched(
    editor_client, sandbox
):
    response = rotate(editor_client, "sk-proj-invalid-key-000000", headers=HTMX)

    assert response.status_code == 200
    assert response.context["form"].errors["api_key"] == ["Invalid API key"]
    assert "Nothing was changed: the provider did not accept the new key." in (
        response.content.decode()
    )
    assert "<html" not in response.content.decode()  # only the form, where the user looks
    assert not sandbox.received(r"provider_keys/", "PATCH")
    assert sandbox.state.provider_keys[KEY].api_key.startswith("sk-proj-Jx7Q")
    assert not AuditEvent.objects.exists()


def test_a_key_in_the_wrong_format_is_refused_before_anything_reaches_posthog(
    editor_client, sandbox
):
    response = rotate(editor_client, "AIza-not-an-openai-key-123456")

    assert response.context["form"].errors["api_key"] == [
        "Invalid OpenAI API key format. Key should start with 'sk-' or 'sk-proj-'."
    ]
    assert calls(sandbox) == []


def test_when_posthog_cannot_check_the_new_key_nothing_changes(editor_client, sandbox):
    sandbox.faults.add(r"provider_key_validations/", method="POST", status=503)

    response = rotate(editor_client)

    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Nothing was changed: the portal could not check the new key."
    assert not sandbox.received(r"provider_keys/", "PATCH")
    assert sandbox.state.provider_keys[KEY].api_key != SECRET


def test_a_key_whose_stored_endpoint_fails_is_told_to_fix_the_endpoint_under_edit(
    editor_client, sandbox
):
    sandbox.state.provider_keys[demo.KEY_AZURE].azure_endpoint = "https://missing.openai.azure.com/"

    response = editor_client.post(
        f"/sandbox/keys/{demo.KEY_AZURE}/rotate/", {"api_key": "3f9c-new-azure-key-0011"}
    )

    check = json.loads(sandbox.received(r"provider_key_validations/", "POST")[0].body)
    assert check["azure_endpoint"] == "https://missing.openai.azure.com/"
    assert check["api_version"] == "2024-10-21"
    assert (
        "the provider refused this key's Azure endpoint: Azure endpoint not found — check the "
        "URL Correct it under Edit first." in response.context["form"].non_field_errors()[0]
    )
    assert not sandbox.received(r"provider_keys/", "PATCH")


def test_a_refused_update_is_shown_on_the_form_and_the_old_key_stays(editor_client, sandbox):
    refusal = hog_validation_error("You don't have sufficient permissions in the project.")
    sandbox.faults.add(r"provider_keys/[^/]+/$", method="PATCH", status=400, body=refusal)

    response = rotate(editor_client)

    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Nothing was changed: PostHog refused the new key."
    assert "sufficient permissions" in " ".join(errors)
    assert sandbox.state.provider_keys[KEY].api_key != SECRET
    assert AuditEvent.objects.get(action="provider_key.rotate").outcome == "failure"


def test_an_update_posthog_did_not_answer_says_the_key_may_have_been_rotated(
    editor_client, sandbox, settings
):
    settings.POSTHOG_LLM_READ_TIMEOUT = 0.3
    sandbox.faults.add(r"provider_keys/[^/]+/$", method="PATCH", answer_latency=2)

    response = rotate(editor_client)

    assert "may or may not have been rotated" in response.context["form"].non_field_errors()[0]
    assert AuditEvent.objects.get(action="provider_key.rotate").outcome == "unknown"


def test_a_failing_check_after_saving_says_the_key_was_rotated_and_what_to_do(
    editor_client, sandbox
):
    sandbox.faults.add(r"provider_keys/[^/]+/validate/$", method="POST", status=500)

    response = rotate(editor_client, follow=True)

    content = response.content.decode()
    assert sandbox.state.provider_keys[KEY].api_key == SECRET
    assert f"rotated ({OLD_MASKED} → {NEW_MASKED}). PostHog accepted the new key, but " in content
    assert "Validate it from this page in a moment." in content


def test_a_rotated_key_the_second_check_finds_invalid_is_reported_as_an_error(
    editor_client, sandbox
):
    invalid = {"state": "invalid", "error_message": "Invalid API key"}
    answer = sandbox.state.provider_keys[KEY].to_json() | invalid
    sandbox.faults.add(r"provider_keys/[^/]+/validate/$", method="POST", status=200, body=answer)

    response = rotate(editor_client, follow=True)

    assert "but checking it again failed: Invalid API key. Evaluations using it may stop" in (
        response.content.decode()
    )


def test_a_system_one_key_is_checked_by_posthog_when_stored_not_before(editor_client, sandbox):
    url = f"/sandbox/keys/{demo.KEY_SYSTEM_ONE}/rotate/"
    assert "PostHog checks a System One (Jev) key with its endpoint" in (
        editor_client.get(url).content.decode()
    )

    editor_client.post(url, {"api_key": "ts-live-new-credential-77"})

    assert not sandbox.received(r"provider_key_validations/")
    assert sandbox.state.provider_keys[demo.KEY_SYSTEM_ONE].api_key == "ts-live-new-credential-77"


def test_with_htmx_a_rotation_sends_the_browser_to_the_key_page(editor_client):
    response = rotate(editor_client, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == PAGE


def test_the_page_says_what_keeps_running_on_the_key(editor_client):
    content = editor_client.get(ROTATE).content.decode()

    assert 'type="password"' in content and 'autocomplete="off"' in content
    assert "The active key:" in content
    assert "2 evaluations pinned to this key" in content
    assert "Answer relevance" in content


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_viewer_gets_403_and_nothing_reaches_posthog(viewer_client, sandbox, method):
    response = getattr(viewer_client, method)(ROTATE, {"api_key": SECRET})

    assert response.status_code == 403
    assert not sandbox.received(r"llm_analytics/")
    assert sandbox.state.provider_keys[KEY].api_key != SECRET


def test_the_secret_never_appears_in_a_response_or_a_log_line(editor_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    refused = "sk-proj-invalid-but-secret-9911"

    pages = [
        rotate(editor_client, refused),
        rotate(editor_client, refused, headers=HTMX),
        rotate(editor_client, follow=True),
    ]

    for response in pages:
        assert refused not in response.content.decode()
        assert SECRET not in response.content.decode()
    assert not [r for r in caplog.records if SECRET in r.getMessage() or refused in r.getMessage()]
    details = json.dumps(list(AuditEvent.objects.values("details", "error")))
    assert SECRET not in details and refused not in details


def test_the_key_page_and_the_list_offer_rotation_to_editors_only(
    editor_client, viewer_client, settings
):
    settings.KEY_ROTATION_DAYS = 90
    detail = editor_client.get(PAGE).content.decode()
    listing = editor_client.get("/sandbox/keys/").content.decode()

    assert f'href="{ROTATE}">Rotate</a>' in detail
    assert f'<a href="{ROTATE}">Rotate it</a>' in detail  # the reminder: older than 90 days
    assert f'<a href="{ROTATE}">Production OpenAI</a>' in listing
    assert f'href="/sandbox/keys/{demo.KEY_CLAUDE}/rotate/">Rotate</a>' in listing  # row menu
    assert "rotate/" not in viewer_client.get(PAGE).content.decode()
    assert "rotate/" not in viewer_client.get("/sandbox/keys/").content.decode()


def test_a_key_rotated_through_the_portal_is_no_longer_due_for_rotation(editor_client, settings):
    settings.KEY_ROTATION_DAYS = 90
    overview = "/sandbox/"
    assert "402 days old: due for rotation" in editor_client.get(overview).content.decode()
    assert "This key is older than 90 days" in editor_client.get(PAGE).content.decode()

    rotate(editor_client)

    listing = editor_client.get("/sandbox/keys/").content.decode()
    reminder = listing.split("older than 90 days")[1].split("</p>")[0]
    assert "Production OpenAI" not in reminder
    assert "Anthropic (2024, revoked)" in reminder  # still as old as PostHog says
    assert "This key is older than" not in editor_client.get(PAGE).content.decode()
    attention = editor_client.get(overview).content.decode()
    assert "402 days old: due for rotation" not in attention


def test_a_new_secret_saved_through_edit_counts_as_a_rotation_and_a_rename_does_not(
    editor_client, settings
):
    settings.KEY_ROTATION_DAYS = 90
    edit = f"{PAGE}edit/"

    editor_client.post(edit, {"name": "Production OpenAI (renamed)", "api_key": ""})
    assert "This key is older than 90 days" in editor_client.get(PAGE).content.decode()

    editor_client.post(edit, {"name": "Production OpenAI (renamed)", "api_key": SECRET})
    assert AuditEvent.objects.filter(action="provider_key.update").count() == 2
    assert "This key is older than" not in editor_client.get(PAGE).content.decode()


def test_the_list_names_at_most_five_keys_to_rotate(editor_client, settings):
    settings.KEY_ROTATION_DAYS = 1

    listing = editor_client.get("/sandbox/keys/").content.decode()

    reminder = listing.split("older than 1 days")[1].split("</p>")[0]
    assert reminder.count("/rotate/") == 5
    assert f"and {len(demo._KEYS) - 5} more (the Age column marks them)." in reminder


def test_a_posthog_that_refuses_validate_to_personal_keys_still_rotates_and_says_so(
    editor_client, sandbox
):
    sandbox.switch(provider_key_refusal="personal_key")  # validate is a custom action there

    page = editor_client.get(ROTATE).content.decode()
    response = rotate(editor_client, follow=True)

    assert "does not allow this action with a personal API key" in page  # why no evaluations
    assert sandbox.state.provider_keys[KEY].api_key == SECRET
    content = response.content.decode()
    assert "PostHog accepted the new key, but checking it again failed" in content
