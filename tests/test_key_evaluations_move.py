"""From a key's page: move the evaluations that use it to a working key of the same provider
(each keeping its model, each move audited), and who added the key through the portal."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from adminui.models import AuditEvent
from adminui.sandbox import demo

PRODUCTION = f"/sandbox/keys/{demo.KEY_PRODUCTION_OPENAI}/"
MOVE = f"{PRODUCTION}move-evaluations/"


def patches(sandbox) -> dict[str, dict]:
    return {
        call.path.rstrip("/").rsplit("/", 1)[-1]: json.loads(call.body)
        for call in sandbox.received(r"/evaluations/[^/]+/?$", "PATCH")
    }


def dependents(sandbox, key_id: str) -> list[str]:
    return sorted(
        evaluation.name
        for evaluation in sandbox.state.evaluations.values()
        if evaluation.model_configuration
        and evaluation.model_configuration.provider_key_id == key_id
    )


def test_the_key_page_offers_editors_to_move_its_evaluations_to_a_working_key(editor_client):
    content = editor_client.get(PRODUCTION).content.decode()

    assert "Move these evaluations" in content
    assert f'value="{demo.EVAL_ANSWER_RELEVANCE}" checked' in content
    assert f'<option value="{demo.KEY_STAGING_OPENAI}">Staging OpenAI</option>' in content
    assert f'<option value="{demo.KEY_CLAUDE}"' not in content  # another provider
    assert "This is also the active key" in content
    revoked_page = editor_client.get(f"/sandbox/keys/{demo.KEY_OLD_ANTHROPIC}/").content.decode()
    assert "Move these evaluations" in revoked_page
    assert "This is also the active key" not in revoked_page


def test_an_editor_moves_the_chosen_evaluations_and_each_keeps_its_model(editor_client, sandbox):
    response = editor_client.post(
        MOVE,
        {
            "evaluation": [demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_NO_PII],
            "replacement_key_id": demo.KEY_STAGING_OPENAI,
        },
        follow=True,
    )

    assert patches(sandbox) == {
        demo.EVAL_ANSWER_RELEVANCE: {
            "model_configuration": {
                "provider": "openai",
                "model": "gpt-5-mini",
                "provider_key_id": demo.KEY_STAGING_OPENAI,
            }
        },
        demo.EVAL_NO_PII: {
            "model_configuration": {
                "provider": "openai",
                "model": "gpt-4.1-mini",
                "provider_key_id": demo.KEY_STAGING_OPENAI,
            }
        },
    }
    assert dependents(sandbox, demo.KEY_PRODUCTION_OPENAI) == []
    assert "Moved to “Staging OpenAI”" in response.content.decode()
    events = AuditEvent.objects.filter(action="evaluation.update", outcome="success")
    assert sorted(event.target_id for event in events) == sorted(
        [demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_NO_PII]
    )


def test_only_the_chosen_evaluations_move(editor_client, sandbox):
    editor_client.post(
        MOVE, {"evaluation": [demo.EVAL_NO_PII], "replacement_key_id": demo.KEY_STAGING_OPENAI}
    )

    assert list(patches(sandbox)) == [demo.EVAL_NO_PII]
    assert dependents(sandbox, demo.KEY_PRODUCTION_OPENAI) == ["Answer relevance"]


def test_moving_off_a_revoked_key_can_turn_the_stopped_evaluations_back_on(editor_client, sandbox):
    revoked = f"/sandbox/keys/{demo.KEY_OLD_ANTHROPIC}/move-evaluations/"

    editor_client.post(
        revoked,
        {
            "evaluation": [demo.EVAL_REFUSAL, demo.EVAL_SUPPORT_TOPIC],
            "replacement_key_id": demo.KEY_CLAUDE,
            "enable": "on",
        },
    )

    for evaluation_id in (demo.EVAL_REFUSAL, demo.EVAL_SUPPORT_TOPIC):
        assert patches(sandbox)[evaluation_id]["enabled"] is True
        assert sandbox.state.evaluations[evaluation_id].status == "active"


def test_a_key_that_is_not_a_working_alternative_is_refused_before_posthog(editor_client, sandbox):
    response = editor_client.post(
        MOVE, {"evaluation": [demo.EVAL_NO_PII], "replacement_key_id": demo.KEY_CLAUDE}, follow=True
    )

    assert "Choose the evaluations to move and a working key" in response.content.decode()
    assert patches(sandbox) == {}


def test_an_evaluation_posthog_refuses_to_move_is_reported_and_the_others_move(
    editor_client, sandbox
):
    sandbox.faults.add(rf"/evaluations/{demo.EVAL_NO_PII}/", method="PATCH", status=500)

    response = editor_client.post(
        MOVE,
        {
            "evaluation": [demo.EVAL_ANSWER_RELEVANCE, demo.EVAL_NO_PII],
            "replacement_key_id": demo.KEY_STAGING_OPENAI,
        },
        follow=True,
    )

    content = response.content.decode()
    assert "Moved to “Staging OpenAI”: “Answer relevance”." in content
    assert "Not moved: “No PII in responses”" in content
    assert AuditEvent.objects.filter(action="evaluation.update", outcome="failure").count() == 1


def test_a_key_of_the_same_provider_that_fails_is_neither_offered_nor_accepted(
    editor_client, sandbox
):
    staging = sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI]
    staging.state, staging.error_message = "invalid", "Invalid API key"

    content = editor_client.get(PRODUCTION).content.decode()
    response = editor_client.post(
        MOVE, {"evaluation": [demo.EVAL_NO_PII], "replacement_key_id": demo.KEY_STAGING_OPENAI}
    )

    assert f'<option value="{demo.KEY_STAGING_OPENAI}"' not in content
    assert "No other working key of this provider" in content
    assert response.status_code == 302
    assert patches(sandbox) == {}


def test_the_picker_tells_keys_of_one_name_apart_by_their_masked_keys(editor_client, sandbox):
    # A new key named like the one it replaces: the usual way to a second key of one name.
    sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI].name = "Production OpenAI"

    content = editor_client.get(PRODUCTION).content.decode()
    delete_page = editor_client.get(f"{PRODUCTION}delete/").content.decode()

    option = f'<option value="{demo.KEY_STAGING_OPENAI}">Production OpenAI · sk-8...E0aU</option>'
    assert option in content
    assert option.replace('">', '" selected>', 1) in delete_page


def test_a_viewer_cannot_move_evaluations_and_nothing_reaches_posthog(viewer_client, sandbox):
    response = viewer_client.post(
        MOVE, {"evaluation": [demo.EVAL_NO_PII], "replacement_key_id": demo.KEY_STAGING_OPENAI}
    )

    assert response.status_code == 403
    assert patches(sandbox) == {}
    assert not sandbox.received(r"dependent_configs")


def test_a_viewer_sees_the_evaluations_but_no_move_form(viewer_client):
    content = viewer_client.get(PRODUCTION).content.decode()

    assert "Answer relevance" in content
    assert "Move these evaluations" not in content


# --- Added by ------------------------------------------------------------------------------------


def add_key(client, name: str) -> None:
    client.post(
        "/sandbox/keys/add/",
        {"provider": "anthropic", "name": name, "api_key": "sk-ant-typed-secret-value-9f8e7d"},
    )


def test_a_key_added_through_the_portal_says_who_created_it_in_posthog_and_who_added_it(
    editor_client, viewer_client
):
    add_key(editor_client, "Eddie's judges")
    key_id = AuditEvent.objects.get(action="provider_key.create").target_id

    page = viewer_client.get(f"/sandbox/keys/{key_id}/").content.decode()
    listing = viewer_client.get("/sandbox/keys/").content.decode()

    # Two facts, each its own sentence: PostHog's creator (the owner of the portal's API key)
    # and the portal user who added it.
    row = listing[listing.index("Eddie&#x27;s judges") :]
    assert " by Jane in PostHog.<br>" in page
    assert ">Added through adminui by eddie.</span>" in page
    assert ">Added through adminui by eddie.</span>" in row[: row.index("</tr>")]


def test_keys_created_in_posthog_say_nothing_about_the_portal(viewer_client):
    content = viewer_client.get(PRODUCTION).content.decode()

    assert "data-added-by" not in content


def test_the_list_reads_who_added_its_keys_in_one_query(editor_client, viewer_client):
    for index in range(3):
        add_key(editor_client, f"Portal key {index}")

    with CaptureQueriesContext(connection) as queries:
        content = viewer_client.get("/sandbox/keys/").content.decode()

    assert content.count("data-added-by") == 3
    audit_reads = [q["sql"] for q in queries.captured_queries if "provider_key.create" in q["sql"]]
    assert len(audit_reads) == 1
