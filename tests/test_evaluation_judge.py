"""Keeping evaluations running when keys change, from the evaluation's page: Editors turn an
evaluation on or off and point its judge at another key or model; each write is audited, and
PostHog's refusals land on the field they are about."""

from __future__ import annotations

import json

import pytest

from adminui.models import AuditEvent
from adminui.sandbox import demo

PAGE = f"/sandbox/evaluations/{demo.EVAL_TONE}/"


def patches(sandbox) -> list[dict]:
    return [json.loads(call.body) for call in sandbox.received(r"/evaluations/[^/]+/?$", "PATCH")]


def test_the_page_offers_editors_the_keys_and_the_current_model(editor_client):
    content = editor_client.get(PAGE).content.decode()

    assert 'action="/sandbox/evaluations/' in content and "/judge/" in content
    assert "Staging OpenAI · OpenAI · Valid" in content
    assert 'value="claude-haiku-4-5"' in content


def test_keys_of_one_name_are_offered_with_their_masked_keys(editor_client, sandbox):
    sandbox.state.provider_keys[demo.KEY_STAGING_OPENAI].name = "Production OpenAI"

    content = editor_client.get(PAGE).content.decode()

    assert "Production OpenAI · sk-8...E0aU · OpenAI · Valid" in content
    assert "Production OpenAI · sk-p...3GsU · OpenAI · Valid" in content
    assert "Claude judges · Anthropic · Valid" in content  # a name of its own stays short


def test_an_editor_points_the_judge_at_another_key_and_model(editor_client, sandbox):
    response = editor_client.post(
        f"{PAGE}judge/",
        {"provider_key": demo.KEY_STAGING_OPENAI, "model": "gpt-5-mini"},
        follow=True,
    )

    assert patches(sandbox) == [
        {
            "model_configuration": {
                "provider": "openai",
                "model": "gpt-5-mini",
                "provider_key_id": demo.KEY_STAGING_OPENAI,
            }
        }
    ]
    assert "now runs gpt-5-mini with “Staging OpenAI”" in response.content.decode()
    event = AuditEvent.objects.get(action="evaluation.update")
    assert (event.actor_name, event.target_id, event.outcome) == (
        "eddie",
        demo.EVAL_TONE,
        "success",
    )
    assert event.details["model_configuration"]["provider_key_id"] == demo.KEY_STAGING_OPENAI


def test_posthogs_refusal_to_turn_on_with_a_failing_key_is_on_that_field(editor_client, sandbox):
    response = editor_client.post(
        f"/sandbox/evaluations/{demo.EVAL_REFUSAL}/judge/",
        {"provider_key": demo.KEY_OLD_ANTHROPIC, "model": "claude-sonnet-4-5", "enable": "on"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    start = content.index('id="field-enable"')
    assert (
        "Attach a working provider API key before re-enabling this evaluation."
        in content[start : start + 600]
    )
    assert 'value="claude-sonnet-4-5"' in content  # what was typed is kept
    assert AuditEvent.objects.get(action="evaluation.update").outcome == "failure"


def test_posthogs_complaint_about_the_model_is_on_the_model_field(editor_client, sandbox):
    sandbox.faults.add(
        r"/evaluations/",
        method="PATCH",
        status=400,
        body={
            "type": "validation_error",
            "code": "blank",
            "detail": "This field may not be blank.",
            "attr": "model_configuration__model",
        },
    )

    response = editor_client.post(f"{PAGE}judge/", {"provider_key": demo.KEY_CLAUDE, "model": "x"})

    content = response.content.decode()
    start = content.index('id="field-model"')
    assert "This field may not be blank." in content[start : start + 600]


def test_a_key_not_in_the_list_is_refused_before_posthog(editor_client, sandbox):
    response = editor_client.post(f"{PAGE}judge/", {"provider_key": "nope", "model": "gpt-5"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert patches(sandbox) == []


def test_an_editor_pauses_and_turns_on_an_evaluation(editor_client, sandbox):
    paused = editor_client.post(f"{PAGE}toggle/", {"enabled": "false"}, follow=True)
    resumed = editor_client.post(f"{PAGE}toggle/", {"enabled": "true"}, follow=True)

    assert patches(sandbox) == [{"enabled": False}, {"enabled": True}]
    assert "is off" in paused.content.decode()
    assert "is on" in resumed.content.decode()
    assert AuditEvent.objects.filter(action="evaluation.update", outcome="success").count() == 2


def test_turning_on_an_evaluation_stopped_by_a_deleted_key_says_what_posthog_needs(
    editor_client, sandbox
):
    sandbox.state.provider_keys.pop(demo.KEY_CLAUDE)
    evaluation = sandbox.state.evaluations[demo.EVAL_TONE]
    evaluation.enabled, evaluation.status, evaluation.status_reason = (
        False,
        "error",
        "provider_key_deleted",
    )

    response = editor_client.post(f"{PAGE}toggle/", {"enabled": "true"}, follow=True)

    content = response.content.decode()
    assert "Attach a working provider API key before re-enabling this evaluation." in content
    assert "Provider API key was deleted" in content
    assert 'data-key-problem="missing"' in content


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("judge/", {"provider_key": demo.KEY_STAGING_OPENAI, "model": "gpt-5"}),
        ("toggle/", {"enabled": "false"}),
    ],
)
def test_a_viewer_cannot_change_an_evaluation_and_nothing_reaches_posthog(
    viewer_client, sandbox, path, data
):
    response = viewer_client.post(f"{PAGE}{path}", data)

    assert response.status_code == 403
    assert patches(sandbox) == []
    assert not AuditEvent.objects.exists()


def test_a_viewer_sees_no_judge_form(viewer_client):
    content = viewer_client.get(PAGE).content.decode()

    assert "/judge/" not in content and "/toggle/" not in content
    assert "An Editor or Admin can point it at another key or model." in content
