"""What "the provider" answers for a stored key's next validations, set by tests and demos to
turn a key invalid, out of quota, and so on (POST /_sandbox/provider_answers).

The messages are PostHog's: its adapters' ``validate_key`` answers (invalid, rate limited,
unreachable, "Validation failed") and the texts of its LLM errors (`llm/errors.py`: quota, model
access, model not found), see docs/posthog-contract.md "Key validation messages". By default no
key has an answer here and validation follows the magic words in the key.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, tuple[str, str | None]] = {
    "ok": ("ok", None),
    "invalid": ("invalid", "Invalid API key"),
    "quota": (
        "error",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "model_access": ("error", "API key doesn't have access to model 'gpt-5'"),
    "model_not_found": ("error", "Model 'gpt-4-32k' not found"),
    "rate_limited": ("error", "Rate limited, please try again later"),
    "unreachable": ("error", "Could not connect to OpenAI"),
    "unknown": ("error", "Validation failed, please try again"),
}


def answer_from_json(data: dict[str, Any]) -> tuple[str, tuple[str, str | None] | None]:
    """``{"key_id", "answer": one of ANSWERS or null}``: the key id and its answer (None clears)."""
    key_id, answer = str(data["key_id"]), data.get("answer")
    if answer is None:
        return key_id, None
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(ANSWERS)} or null")
    return key_id, ANSWERS[answer]
