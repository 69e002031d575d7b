"""What kind of evaluation this is, in words, and whether its judge's key can run it.

PostHog's evaluations differ in how they judge (`evaluation_type`: an LLM judge, Hog code,
sentiment analysis), what they answer (`output_type`: pass/fail, a sentiment, a score, a
category) and what one run looks at (`target`: a generation, a whole trace, a session). Only
some of them can be summarised (`Evaluation.supports_summary`); the others get an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from adminui.keys.providers import FAILING_STATES
from adminui.posthog import Evaluation, ProviderKey
from adminui.web.concurrency import Outcome

TYPE_LABELS = {"llm_judge": "LLM judge", "hog": "Hog code", "sentiment": "Sentiment analysis"}
OUTPUT_LABELS = {
    "boolean": "Pass / fail",
    "sentiment": "Sentiment",
    "numeric": "Score",
    "categorical": "Category",
}
TARGET_LABELS = {"generation": "Each generation", "trace": "Whole traces", "session": "Sessions"}
# PostHog's EvaluationStatusReason labels: why PostHog stopped an evaluation by itself.
STATUS_REASONS = {
    "provider_key_required": "No provider API key configured",
    "provider_key_deleted": "Provider API key was deleted",
    "no_default_model": "No default model available for the selected provider",
    "provider_key_invalid": "Provider API key is invalid",
    "provider_key_permission_denied": "Provider API key lacks model access",
    "provider_key_quota_exceeded": "Provider API key quota exceeded",
    "provider_key_rate_limited": "Provider API key is rate limited",
    "model_not_found": "Model not found",
    "hog_error": "Hog evaluation code failed",
}


def label(labels: dict[str, str], value: str | None) -> str:
    """PostHog's value in words; a value newer than this table reads as itself."""
    return labels.get(value or "", (value or "—").replace("_", " ").capitalize())


def kind_of(evaluation: Evaluation) -> str:
    """What it answers and judges, when that is not the common pass/fail of one generation."""
    if evaluation.output_type == "boolean" and evaluation.target == "generation":
        return ""
    output = label(OUTPUT_LABELS, evaluation.output_type)
    return f"{output} · {label(TARGET_LABELS, evaluation.target).lower()}"


def summary_unavailable(evaluation: Evaluation) -> str:
    """Why PostHog offers no AI summary for this evaluation ("" when it does)."""
    if evaluation.supports_summary:
        return ""
    if evaluation.output_type != "boolean":
        answer = label(OUTPUT_LABELS, evaluation.output_type).lower()
        return (
            f"PostHog's AI summaries explain why runs pass or fail. This evaluation answers with "
            f"a {answer} instead of pass or fail, so PostHog has no summary for it; its results "
            "are in PostHog."
        )
    unit = label(TARGET_LABELS, evaluation.target).lower()
    return (
        f"PostHog's AI summaries read the results of single generations, and this evaluation "
        f"judges {unit}: PostHog offers no summary for it. Its results are in PostHog."
    )


@dataclass(frozen=True)
class KeyProblem:
    """Why an evaluation's judge cannot run (or will stop): `missing` or `failing`."""

    kind: str
    text: str


def key_problem(
    evaluation: Evaluation, keys: dict[str, ProviderKey], active: ProviderKey | None
) -> KeyProblem | None:
    """Whether the key this evaluation's judge runs with is failing or missing.

    A judge pinned to a key runs with it; one without a pinned key runs with the project's
    active key when that key is of its provider (PostHog's `active_key_fallback`).
    """
    if not evaluation.uses_provider_key:
        return None
    config = evaluation.model_configuration
    if config and config.provider_key_id:
        key = keys.get(config.provider_key_id)
        if key is None:
            return KeyProblem("missing", "Its key was deleted: choose another key.")
        return _failing(key, "Its key")
    if active is None:
        return KeyProblem("missing", "No key: the project has no active key.")
    if config and config.provider and active.provider != config.provider:
        return KeyProblem(
            "missing",
            f"No {config.provider} key: it runs with the active key only when that key is of "
            "its provider.",
        )
    return _failing(active, "The project's active key")


def _failing(key: ProviderKey, whose: str) -> KeyProblem | None:
    if key.state not in FAILING_STATES:
        return None
    reason = (key.error_message or ("invalid" if key.state == "invalid" else "failing")).rstrip(".")
    return KeyProblem("failing", f"{whose} “{key.name}” is failing: {reason}.")


def key_problems(
    evaluations: list[Evaluation],
    keys: Outcome,
    config: Outcome,
) -> dict[str, KeyProblem]:
    """Each evaluation's key problem, when the keys (a list of ProviderKey) and the project's
    EvaluationConfig loaded; without them nothing is marked rather than guessed."""
    if not keys.ok or not config.ok:
        return {}
    by_id = {key.id: key for key in keys.value}
    active = config.value.active_provider_key
    active = by_id.get(active.id, active) if active else None
    return {
        evaluation.id: problem
        for evaluation in evaluations
        if (problem := key_problem(evaluation, by_id, active))
    }
