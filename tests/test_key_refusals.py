"""PostHog may refuse provider-key actions to the portal's personal API key: custom actions to any
API key, writes when the key's owner is no project admin, changes to evaluations when the owner
may not edit them. Each refusal is said where the user acted; the rest of the page keeps working."""

from __future__ import annotations

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo
from tests.conftest import HTMX
from tests.summary_helpers import run_worker

KEYS = "/sandbox/keys/"
CLAUDE = f"{KEYS}{demo.KEY_CLAUDE}/"
NOT_ADMIN = "PostHog lets only project admins change provider keys"
NOT_EDITOR = "This would change which key evaluations run with, and PostHog does not let the owner"


@pytest.fixture
def refusing(sandbox):
    def refuse(refusal: str) -> None:
        sandbox.switch(provider_key_refusal=refusal, validation_delay=0.01)

    return refuse


def test_validating_says_posthog_refuses_it_to_api_keys(editor_client, refusing):
    refusing("personal_key")

    response = editor_client.post(f"{CLAUDE}validate/", headers=HTMX)

    assert response["HX-Retarget"] == "#toasts"
    assert "PostHog does not allow this action with a personal API key" in (
        response.content.decode()
    )
    assert AuditEvent.objects.get(action="provider_key.validate").outcome == "failure"


def test_the_key_page_keeps_working_when_posthog_will_not_list_what_uses_the_key(
    viewer_client, refusing
):
    refusing("personal_key")

    response = viewer_client.get(CLAUDE)
    content = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Claude judges" in content
    assert "PostHog does not allow this action with a personal API key" in content
    assert "listed live by the provider" in content  # the models card still loads


def test_the_delete_dialog_still_deletes_when_dependents_cannot_be_listed(editor_client, refusing):
    refusing("personal_key")

    dialog = editor_client.get(f"{CLAUDE}delete/").content.decode()

    assert "PostHog does not allow this action with a personal API key" in dialog
    assert f'action="{CLAUDE}delete/"' in dialog


def test_a_write_by_someone_who_is_not_a_project_admin_is_explained(editor_client, refusing):
    refusing("project_admin")

    validate = editor_client.post(f"{CLAUDE}validate/", headers=HTMX).content.decode()
    rename = editor_client.post(f"{CLAUDE}edit/", {"name": "Renamed", "api_key": ""})

    assert NOT_ADMIN in validate and "POSTHOG_PERSONAL_API_KEY" in validate
    errors = rename.context["form"].non_field_errors()
    assert NOT_ADMIN in errors[0] and "make its owner an admin" in errors[0]
    assert rename.context["form"]["name"].value() == "Renamed"


def test_adding_a_key_without_project_admin_rights_keeps_what_was_typed(editor_client, refusing):
    refusing("project_admin")
    fields = {"provider": "anthropic", "name": "Judges", "api_key": "sk-ant-typed-0123456789"}

    check = editor_client.post(f"{KEYS}check/", fields).content.decode()
    add = editor_client.post(f"{KEYS}add/", fields, headers=HTMX)

    assert f"Could not check the key: {NOT_ADMIN}" in check
    assert NOT_ADMIN in add.context["form"].non_field_errors()[0]
    assert add.context["form"]["name"].value() == "Judges"


def test_each_row_of_a_bulk_validation_says_it_was_refused(editor_client, refusing):
    refusing("project_admin")

    response = editor_client.post(f"{KEYS}validate/", {"key": [demo.KEY_CLAUDE]})
    run_worker()  # without JavaScript the keys are checked in the background

    assert NOT_ADMIN in editor_client.get(response["Location"]).content.decode()


def test_reading_keys_still_works_for_someone_who_is_not_a_project_admin(viewer_client, refusing):
    refusing("project_admin")

    content = viewer_client.get(CLAUDE).content.decode()

    assert "Tone matches brand" in content  # what uses the key: a read PostHog allows
    assert NOT_ADMIN not in content


def test_changing_what_runs_evaluations_without_editor_access_is_explained(
    editor_client, sandbox, refusing
):
    refusing("evaluation_editor")
    fields = {
        "provider": "anthropic",
        "name": "Judges",
        "api_key": "sk-ant-typed-0123456789",
        "set_as_active": "on",
    }

    add = editor_client.post(f"{KEYS}add/", fields)
    activate = editor_client.post(f"{CLAUDE}activate/", headers=HTMX).content.decode()
    delete = editor_client.post(
        f"{KEYS}{demo.ACTIVE_KEY_ID}/delete/", headers=HTMX
    ).content.decode()

    assert NOT_EDITOR in add.context["form"].non_field_errors()[0]
    assert NOT_EDITOR in activate and "editor access to evaluations" in activate
    assert NOT_EDITOR in delete
    assert sandbox.state.active_key_id == demo.ACTIVE_KEY_ID
    assert demo.ACTIVE_KEY_ID in sandbox.state.provider_keys
