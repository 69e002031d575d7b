"""Why a provider key failed its check, and what to do next: one table for every screen.

PostHog reports a failed check as a key state (``invalid`` or ``error``) and the message its
provider adapter chose; the patterns below are those messages, read in PostHog's source
(docs/posthog-contract.md, "Key validation messages"). The first class whose pattern matches
wins, so the specific ones come before "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FailureClass:
    slug: str
    label: str
    next_step: str
    pattern: re.Pattern[str] | None = None


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


FAILURE_CLASSES: tuple[FailureClass, ...] = (
    FailureClass(
        "quota",
        "Quota or credits exhausted",
        "Add credits or raise the spending limit in the provider's billing settings, then "
        "validate the key again; nothing needs to change in PostHog.",
        _words(r"quota", r"credit", r"billing", r"insufficient_quota", r"spending limit"),
    ),
    FailureClass(
        "model_access",
        "No access to the model",
        "Give the key's project access to the model at the provider, or pick a model it may "
        "use in the evaluation's settings.",
        _words(r"(doesn't|does not) have access to (the |this )?model", r"permission"),
    ),
    FailureClass(
        "model_not_found",
        "Model not found or retired",
        "The provider no longer serves the model: choose a current one for the evaluations "
        "that use this key (the Models screen lists what the key can reach).",
        _words(r"model '.*' not found", r"model not found", r"unsupported model", r"retired"),
    ),
    FailureClass(
        "rate_limited",
        "Rate limited",
        "The provider is throttling the key: the next scheduled check usually clears it. If "
        "it stays, raise the key's rate limit at the provider.",
        _words(r"rate limit", r"too many requests"),
    ),
    FailureClass(
        "unreachable",
        "Endpoint unreachable",
        "PostHog could not reach the provider: check the key's endpoint (Azure endpoint or "
        "base URL) and the provider's status page; the next check tries again.",
        _words(
            r"could not connect",
            r"could not reach",
            r"timed out",
            r"endpoint not found",
            r"did not return a model list",
            r"redirected",
            r"endpoint is required",
            r"base url",
        ),
    ),
    FailureClass(
        "invalid_key",
        "Invalid or revoked key",
        "The provider refuses the key: create a new key at the provider and rotate this one "
        "(the key's Rotate action, paste the new key); evaluations keep using it.",
        _words(
            r"invalid api key",
            r"invalid key format",
            r"rejected this credential",
            r"api key is required",
            r"revoked",
            r"unauthori[sz]ed",
        ),
    ),
    FailureClass(
        "unknown",
        "Unknown failure",
        "PostHog did not say why: validate the key again in a few minutes, and open it in "
        "PostHog if it keeps failing.",
    ),
)
UNKNOWN = FAILURE_CLASSES[-1]
_BY_SLUG = {failure.slug: failure for failure in FAILURE_CLASSES}


def classify_failure(state: str, message: str | None) -> FailureClass | None:
    """The class of a failed check (``None`` for a key in state ``ok`` or ``unknown``, which
    has not failed). An ``invalid`` key PostHog gives no words for is an invalid key."""
    if state in ("ok", "unknown"):
        return None
    text = message or ""
    for failure in FAILURE_CLASSES:
        if failure.pattern is not None and failure.pattern.search(text):
            return failure
    return _BY_SLUG["invalid_key"] if state == "invalid" and not text else UNKNOWN


def failure_class(slug: str) -> FailureClass | None:
    return _BY_SLUG.get(slug)
