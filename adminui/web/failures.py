"""The words people read when something fails: one row per error type, for every place it shows.

`adminui.posthog.classify` decides *what* failed (a type per failure PostHog can name); this table
says it for people: the hint under a page, toast, card or form error, the panel of an integration
list, and a failed AI summary. A type without a row of its own reads as its nearest parent's.
Rows for subclasses are copies of their parent's (`replace`) so they differ only where they say.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from adminui.posthog import errors as ph


@dataclass(frozen=True)
class PanelWording:
    """An integration list's panel that could not load. ``{noun}`` is the list ("channels"),
    ``{message}`` the error's own message and ``{detail}`` PostHog's text."""

    title: str = "Could not list {noun}"
    message: str = "{message}"
    # The label of a link to PostHog's integrations page, where only PostHog can show or fix it.
    link: str = ""
    # A panel's Try again reloads the same list: pointless when PostHog must be used instead.
    retryable: bool = True
    # Whether to say when PostHog accepts the next request (its Retry-After).
    says_wait: bool = False


@dataclass(frozen=True)
class Wording:
    # Stored with a failed summary (SummaryRequest.error_kind): never rename one.
    kind: str
    # A failed summary's heading, a few words.
    label: str
    # What the user can do, under the error's own message, where that does not say it already.
    hint: str = ""
    # Asking for the summary again (later, or after fixing something in PostHog) can succeed.
    retryable: bool = True
    # A failed summary, said for the person who asked. Placeholders: see `summary_message`.
    summary: str = "{message}"
    # Instead of `summary` when PostHog named the fields it rejected.
    summary_with_fields: str = ""
    panel: PanelWording = field(default_factory=PanelWording)


_ERROR = Wording("error", "Error")
_REFUSED = Wording("forbidden", "Refused", retryable=False)
_INVALID = Wording(
    "invalid",
    "Request rejected",
    retryable=False,
    summary_with_fields="PostHog rejected the request ({fields}).",
)
_RATE_LIMITED = Wording(
    "throttled",
    "Rate limited",
    summary=(
        "PostHog's limit on summaries was reached (it allows 50 a minute, 200 an hour and "
        "500 a day per API key). Try again {wait}."
    ),
    panel=PanelWording("Rate limited while listing {noun}", says_wait=True),
)
_SERVER = Wording(
    "server", "PostHog error", hint="The problem is on PostHog's side, not in what you did."
)

WORDINGS: dict[type[BaseException], Wording] = {
    # Not PostHog's failure: the background worker crashed while asking for a summary.
    Exception: Wording(
        "internal",
        "Worker error",
        summary=(
            "The background worker failed while asking for this summary ({exception}). "
            "Its log has the details; try again."
        ),
    ),
    ph.PostHogError: _ERROR,
    ph.PostHogBadResponse: replace(
        _ERROR, hint="A proxy in front of PostHog may be failing. Try again later."
    ),
    ph.PostHogUnreachable: Wording(
        "unreachable",
        "PostHog unreachable",
        hint="Check that PostHog is up and that POSTHOG_HOST is right.",
    ),
    ph.PostHogTimeout: Wording(
        "timeout",
        "Timed out",
        hint="PostHog may be busy. Try again in a moment.",
        summary=(
            "PostHog did not finish the summary within {timeout:g} seconds. It may still finish "
            "on PostHog's side: asking again in a minute can return it from PostHog's one-hour "
            "cache."
        ),
        panel=PanelWording("PostHog did not list {noun} in time"),
    ),
    ph.PostHogAuthError: Wording("auth", "API key rejected"),
    ph.PostHogPermissionError: _REFUSED,
    ph.PostHogScopeError: Wording("scope", "Missing API key scope"),
    ph.PostHogPersonalKeyRefused: replace(
        _REFUSED,
        panel=PanelWording(
            "PostHog shows {noun} only to people logged in to PostHog",
            "The newest PostHog refuses this list to API keys, such as the one the portal uses. "
            "Open the integration in PostHog while logged in to see it there.",
            link="Open Integrations in PostHog",
            retryable=False,
        ),
    ),
    ph.PostHogProjectAdminRequired: replace(
        _REFUSED,
        hint=(
            "Ask an operator to set POSTHOG_PERSONAL_API_KEY to a key of a project admin, or "
            "make its owner an admin of the project in PostHog."
        ),
    ),
    ph.PostHogEvaluationEditorRequired: replace(
        _REFUSED,
        hint=(
            "Ask a PostHog admin to give the key's owner editor access to evaluations, or do "
            "this in PostHog as someone who has it."
        ),
    ),
    ph.PostHogAIDataNotApproved: Wording(
        "not_approved",
        "AI data processing not approved",
        summary=(
            "PostHog summarises evaluation runs only after your organization approves AI data "
            "processing, and it has not. An organization admin must approve AI data processing "
            "in PostHog's organization settings; then ask again."
        ),
    ),
    ph.PostHogNotFound: Wording(
        "not_found",
        "Evaluation not found",
        retryable=False,
        summary=(
            "PostHog has no evaluation {evaluation_id} in this project: it may have been deleted."
        ),
    ),
    ph.PostHogValidationError: _INVALID,
    ph.PostHogNoEvaluationRuns: Wording(
        "no_runs",
        "No runs to summarise",
        retryable=False,
        summary=(
            "PostHog found no {runs}{among} to summarise. Choose another filter, or check the "
            "generation ids."
        ),
    ),
    ph.PostHogReconnectRequired: replace(
        _INVALID,
        panel=PanelWording(
            "This integration needs reconnecting",
            "{detail}",
            link="Reconnect in PostHog",
            retryable=False,
        ),
    ),
    ph.PostHogWrongIntegrationKind: replace(
        _INVALID,
        panel=PanelWording(
            "PostHog does not list {noun} for this kind of integration", "{detail}", retryable=False
        ),
    ),
    ph.PostHogRateLimited: _RATE_LIMITED,
    ph.PostHogSummaryInProgress: replace(
        _RATE_LIMITED,
        kind="locked",
        label="Another summary running",
        summary=(
            "Another summary is being generated for this project right now, and PostHog makes "
            "one at a time per project. Try again when it finishes (usually within a minute)."
        ),
    ),
    ph.PostHogServerError: _SERVER,
    ph.PostHogSummaryFailed: replace(
        _SERVER,
        kind="failed",
        label="PostHog could not generate it",
        summary=(
            "PostHog failed to generate the summary (its call to the summarising model did not "
            "succeed). This is usually temporary: try again in a minute."
        ),
    ),
}

# PostHog reaches some lists through a provider wrapper that answers a bare 500 both when the
# provider fails and when the integration is of another kind: it cannot say which.
WRAPPER_FAILED = PanelWording(
    "PostHog could not list {noun}",
    "PostHog failed with an internal error (HTTP 500). It answers this way when {kind} fails "
    "behind it, when the integration is not a {kind} one{also}.",
)
WRAPPER_ALSO = {"twilio": " or when the Twilio account has no phone numbers"}

# An integration whose every list PostHog refuses to API keys: one explanation for all of them.
BROWSER_REFUSED = PanelWording(
    "PostHog shows {nouns} only to people logged in to PostHog",
    "The newest PostHog serves these lists to its own web app only, not to API keys such as "
    "the one the portal uses, so the portal cannot show them. Open the integration in PostHog, "
    "logged in, to see them there.",
    link="Open Integrations in PostHog",
    retryable=False,
)
# A list that needs a choice from another list (an account), when that list could not load.
NOTHING_TO_CHOOSE = "Nothing to choose from: PostHog did not list {noun}."

# Stored summaries keep only their kind: its heading, and whether to offer asking again.
LABELS = {wording.kind: wording.label for wording in WORDINGS.values()}
RETRYABLE_KINDS = {wording.kind for wording in WORDINGS.values() if wording.retryable}


def wording_for(error: Exception) -> Wording:
    """The row of the error's type, or of its nearest parent that has one."""
    return next(WORDINGS[cls] for cls in type(error).__mro__ if cls in WORDINGS)


def hint_for(error: ph.PostHogError) -> str:
    return wording_for(error).hint


def summary_message(
    error: Exception,
    *,
    evaluation_id: str,
    runs: str,
    generation_count: int,
    timeout: float | None,
) -> str:
    """A failed summary said for the person who asked (`runs`: "failing runs", ...; `timeout`:
    PostHog's LLM read timeout, unknown when the worker failed before choosing an environment)."""
    wording = wording_for(error)
    fields = error.field_errors if isinstance(error, ph.PostHogError) else {}
    retry_after = getattr(error, "retry_after", None)
    text = (
        wording.summary_with_fields if fields and wording.summary_with_fields else wording.summary
    )
    return text.format(
        message=getattr(error, "message", str(error)),
        exception=type(error).__name__,
        fields="; ".join(
            f"{name.replace('_', ' ')}: {' '.join(messages)}" for name, messages in fields.items()
        ),
        wait=f"in {retry_after} seconds" if retry_after else "in a few minutes",
        evaluation_id=evaluation_id,
        runs=runs,
        among=(f" among the {generation_count} generations you listed" if generation_count else ""),
        timeout=timeout,
    )


# --- Evaluations ------------------------------------------------------------------------------


def evaluation_not_found(error: ph.PostHogNotFound, evaluation_id: str) -> ph.PostHogNotFound:
    """PostHog's 404 for an evaluation ("Not found."), said for the page that asked for it."""
    return ph.PostHogNotFound(
        f"PostHog has no evaluation {evaluation_id} in this project: it may have been deleted, "
        f"or it belongs to another project. (PostHog answered: “{error.detail or 'Not found.'}”)",
        status=error.status,
        code=error.code,
        detail=error.detail,
        path=error.path,
        method=error.method,
    )


def filter_message(error: ph.PostHogValidationError, label: str) -> str:
    """A list filter PostHog refused (its exceptions-hog 400 names the filter in `attr`)."""
    return (
        f"PostHog did not accept the {label} filter ({error.attr}): "
        f"{error.detail or error.message} Change or clear it to see the list."
    )
