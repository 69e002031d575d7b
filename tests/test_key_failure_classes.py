"""Every failed check is classified, with what to do next, from the messages PostHog's provider
adapters give (docs/posthog-contract.md, "Key validation messages")."""

from __future__ import annotations

import pytest
import requests

from adminui.keys.failures import FAILURE_CLASSES, classify_failure
from adminui.keys.models import KeyStateChange
from adminui.keys.sweep import sweep
from adminui.sandbox.demo import KEY_CLAUDE
from adminui.sandbox.resources.provider_answers import ANSWERS
from adminui.sandbox.staging import STAGING_KEY_ANTHROPIC_ROTATED, STAGING_PROJECT_ID
from tests.conftest import AUTH, sandbox_api

# (state, message) as PostHog's adapters and LLM errors word them, and the class each is.
POSTHOG_MESSAGES = [
    ("invalid", "Invalid API key", "invalid_key"),
    ("invalid", "Invalid key format (should start with 'sk-' or 'sk-proj-')", "invalid_key"),
    ("invalid", "The endpoint rejected this credential. Check the bearer token.", "invalid_key"),
    ("invalid", None, "invalid_key"),
    ("error", "You exceeded your current quota, please check your plan and billing details.",
     "quota"),
    ("error", "Your credit balance is too low to access the Anthropic API.", "quota"),
    ("error", "API key doesn't have access to model 'gpt-5'", "model_access"),
    ("error", "Model 'gpt-4-32k' not found", "model_not_found"),
    ("error", "Rate limited, please try again later", "rate_limited"),
    ("error", "Could not connect to Anthropic", "unreachable"),
    ("error", "Request timed out, please try again", "unreachable"),
    ("error", "Azure endpoint not found — check the URL", "unreachable"),
    ("invalid", "The endpoint did not return a model list, check the base URL", "unreachable"),
    ("error", "Could not reach the System One endpoint. Try again.", "unreachable"),
    ("error", "Validation failed, please try again", "unknown"),
    ("error", "Unexpected response status: 500", "unknown"),
]  # fmt: skip


@pytest.mark.parametrize(("state", "message", "expected"), POSTHOG_MESSAGES)
def test_each_posthog_message_has_its_class(state, message, expected):
    assert classify_failure(state, message).slug == expected


def test_a_key_that_has_not_failed_has_no_class():
    assert classify_failure("ok", None) is None
    assert classify_failure("unknown", None) is None


def test_every_class_has_a_label_and_a_next_step_and_the_table_covers_the_issue():
    assert [failure.slug for failure in FAILURE_CLASSES] == [
        "quota",
        "model_access",
        "model_not_found",
        "rate_limited",
        "unreachable",
        "invalid_key",
        "unknown",
    ]
    assert all(failure.label and failure.next_step.endswith(".") for failure in FAILURE_CLASSES)


def test_a_refused_key_is_sent_to_the_rotate_action_not_to_edit():
    next_step = classify_failure("invalid", "Invalid API key").next_step
    assert "Rotate action" in next_step and "Edit" not in next_step


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer", [name for name in ANSWERS if name != "ok"])
def test_the_sandbox_produces_each_class_and_the_sweep_records_it(
    answer, quick_checks, snapshots, sandbox
):
    sandbox.provider_answer(KEY_CLAUDE, answer)
    sweep()
    change = KeyStateChange.objects.get(key_id=KEY_CLAUDE)
    assert (change.to_state, change.message) == ANSWERS[answer]
    assert change.failure_class == ("invalid_key" if answer == "invalid" else answer)


@pytest.mark.django_db(transaction=True)
def test_a_key_recovers_when_the_provider_accepts_it_again(quick_checks, snapshots, sandbox):
    sandbox.provider_answer(KEY_CLAUDE, "quota")
    sweep()
    sandbox.provider_answer(KEY_CLAUDE, None)
    [summary] = sweep()
    assert summary.changed == 1
    latest = KeyStateChange.objects.filter(key_id=KEY_CLAUDE).first()
    assert (latest.from_state, latest.to_state, latest.failure_class) == ("error", "ok", "")


def test_the_sandbox_control_sets_and_clears_a_keys_provider_answer_over_http(sandbox):
    url = f"{sandbox.url}/_sandbox/provider_answers"
    control = {"X-Sandbox-Control": "1"}
    assert requests.post(url, json={"key_id": KEY_CLAUDE, "answer": "quota"}).status_code == 403
    answered = requests.post(url, json={"key_id": KEY_CLAUDE, "answer": "quota"}, headers=control)
    assert answered.status_code == 204
    validated = sandbox_api(sandbox, "POST", f"llm_analytics/provider_keys/{KEY_CLAUDE}/validate/")
    assert (validated.json()["state"], validated.json()["error_message"]) == ANSWERS["quota"]
    wrong = requests.post(url, json={"key_id": KEY_CLAUDE, "answer": "vibes"}, headers=control)
    assert wrong.status_code == 400 and "answer must be one of" in wrong.json()["detail"]
    requests.post(url, json={"key_id": KEY_CLAUDE, "answer": None}, headers=control)
    validated = sandbox_api(sandbox, "POST", f"llm_analytics/provider_keys/{KEY_CLAUDE}/validate/")
    assert validated.json()["state"] == "ok"


def test_a_provider_answer_holds_for_a_key_of_the_staging_project_too(sandbox):
    sandbox.provider_answer(STAGING_KEY_ANTHROPIC_ROTATED, "quota")
    path = f"llm_analytics/provider_keys/{STAGING_KEY_ANTHROPIC_ROTATED}/validate/"
    url = sandbox.api_url(path, project=STAGING_PROJECT_ID)
    validated = requests.post(url, headers=AUTH, timeout=10).json()
    assert (validated["state"], validated["error_message"]) == ANSWERS["quota"]
