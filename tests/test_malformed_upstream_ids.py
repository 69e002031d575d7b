"""An item PostHog sends with an id the portal cannot link to is left out with a notice, or
shown without a link: never a 500 for the whole page."""

from __future__ import annotations

import pytest

from adminui.posthog import PostHogBadResponse, get_client
from adminui.sandbox import demo
from tests.conftest import HTMX

BAD_ID = "key-7"  # not a UUID: the portal's URLs cannot name it


def rename_key(sandbox, key_id: str, new_id: str) -> None:
    with sandbox.state.lock:
        key = sandbox.state.provider_keys.pop(key_id)
        key.id = new_id
        sandbox.state.provider_keys[new_id] = key
        for configuration in sandbox.state.model_configurations():
            if configuration.provider_key_id == key_id:
                configuration.provider_key_id = new_id


def rename_evaluation(sandbox, evaluation_id: str, new_id: str) -> None:
    with sandbox.state.lock:
        evaluation = sandbox.state.evaluations.pop(evaluation_id)
        evaluation.id = new_id
        sandbox.state.evaluations[new_id] = evaluation


def test_the_key_list_leaves_out_a_key_with_a_malformed_id_and_says_so(viewer_client, sandbox):
    rename_key(sandbox, demo.KEY_TOGETHER, BAD_ID)
    for headers in ({}, HTMX):
        response = viewer_client.get("/sandbox/keys/", headers=headers)
        assert response.status_code == 200
        content = response.content.decode()
        assert "PostHog sent 1 key the portal cannot show" in content
        assert "Production OpenAI" in content and "Together AI batch" not in content


def test_the_overview_still_shows_its_cards_with_malformed_ids_upstream(viewer_client, sandbox):
    rename_key(sandbox, demo.KEY_TOGETHER, BAD_ID)
    rename_evaluation(sandbox, demo.EVAL_TONE, "tone")
    response = viewer_client.get("/sandbox/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "PostHog sent 1 key the portal cannot show" in content
    assert "PostHog sent 1 evaluation the portal cannot show" in content


def test_the_evaluation_list_leaves_out_an_evaluation_with_a_malformed_id(viewer_client, sandbox):
    rename_evaluation(sandbox, demo.EVAL_TONE, "tone")
    response = viewer_client.get("/sandbox/evaluations/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "PostHog sent 1 evaluation the portal cannot show" in content
    assert "Answer relevance" in content


def test_a_judge_key_with_a_malformed_id_is_named_without_a_link(viewer_client, sandbox):
    rename_key(sandbox, demo.KEY_CLAUDE, BAD_ID)
    pinned = next(
        evaluation
        for evaluation in sandbox.state.evaluations.values()
        if evaluation.model_configuration
        and evaluation.model_configuration.provider_key_id == BAD_ID
    )
    response = viewer_client.get(f"/sandbox/evaluations/{pinned.id}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Key: Claude judges" in content
    assert f"/keys/{BAD_ID}" not in content


def test_the_service_module_validates_ids_it_returns(db, sandbox):
    rename_key(sandbox, demo.KEY_TOGETHER, BAD_ID)
    keys = get_client().list_provider_keys()
    assert keys.skipped == 1 and BAD_ID not in {key.id for key in keys}
    with sandbox.state.lock:
        sandbox.state.active_key_id = BAD_ID
    with pytest.raises(PostHogBadResponse, match="not a UUID"):
        get_client().get_evaluation_config()
