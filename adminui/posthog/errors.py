"""Typed PostHog failures: one class per kind of failure the portal tells apart.

Every error carries a ``.message`` written for the person using the portal: specific, human,
and free of secrets (it goes through `redact`). The raw facts stay available as attributes
(``status``, ``code``, ``detail``, ``attr``, ``field_errors``, ``retry_after``, ``path``) so views
can map a validation error onto form fields or show a "try again in N seconds" hint.

`classify` is the one place that turns any failure (an HTTP answer or a transport exception)
into one of these; `adminui.web.failures` says each type in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adminui.posthog.redaction import redact

__all__ = [
    "PostHogAIDataNotApproved",
    "PostHogAuthError",
    "PostHogBadResponse",
    "PostHogError",
    "PostHogEvaluationEditorRequired",
    "PostHogNoEvaluationRuns",
    "PostHogNotFound",
    "PostHogPermissionError",
    "PostHogPersonalKeyRefused",
    "PostHogProjectAdminRequired",
    "PostHogRateLimited",
    "PostHogReconnectRequired",
    "PostHogScopeError",
    "PostHogServerError",
    "PostHogSummaryFailed",
    "PostHogSummaryInProgress",
    "PostHogTimeout",
    "PostHogUnreachable",
    "PostHogValidationError",
    "PostHogWrongIntegrationKind",
]


class PostHogError(Exception):
    """Base class: anything that went wrong while talking to PostHog."""

    default_message = "Something went wrong while talking to PostHog."
    # A write PostHog received but did not answer (read timeout, dropped): it may be applied.
    may_have_applied = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        attr: str | None = None,
        retry_after: int | None = None,
        field_errors: Mapping[str, list[str]] | None = None,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        self.message = redact(message or self.default_message)
        self.status = status
        self.code = code
        self.detail = redact(detail) if detail is not None else None
        self.attr = attr
        self.retry_after = retry_after
        self.field_errors: dict[str, list[str]] = {
            name: [redact(m) for m in messages] for name, messages in (field_errors or {}).items()
        }
        self.path = path
        self.method = method
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        facts = [f"{name}={value!r}" for name, value in self._repr_facts() if value is not None]
        return f"{type(self).__name__}({', '.join([repr(self.message), *facts])})"

    def _repr_facts(self) -> list[tuple[str, Any]]:
        return [
            ("status", self.status),
            ("code", self.code),
            ("attr", self.attr),
            ("retry_after", self.retry_after),
            ("method", self.method),
            ("path", self.path),
        ]


class PostHogUnreachable(PostHogError):
    """No answer at all: DNS failure, connection refused or dropped, TLS failure."""

    default_message = "Could not reach PostHog."


class PostHogTimeout(PostHogError):
    """PostHog did not accept the connection, or did not answer, in time."""

    default_message = "PostHog did not answer in time."


class PostHogAuthError(PostHogError):
    """401: the personal API key is missing, mistyped, revoked or expired."""

    default_message = (
        "PostHog rejected the portal's personal API key. Ask an operator to check "
        "POSTHOG_PERSONAL_API_KEY."
    )


class PostHogPermissionError(PostHogError):
    """403 for any reason other than the more specific subclasses below."""

    default_message = "PostHog refused the request."


class PostHogScopeError(PostHogPermissionError):
    """403: the personal API key lacks the scope this call needs (named in ``.scope``)."""

    default_message = "The portal's personal API key is missing a scope this action needs."

    def __init__(self, message: str | None = None, *, scope: str | None = None, **kwargs: Any):
        self.scope = scope
        super().__init__(message, **kwargs)

    def _repr_facts(self) -> list[tuple[str, Any]]:
        return [("scope", self.scope), *super()._repr_facts()]


class PostHogPersonalKeyRefused(PostHogPermissionError):
    """403: PostHog only allows this action from its own web app (a browser session)."""

    default_message = (
        "PostHog does not allow this action with a personal API key. "
        "Do it in PostHog's own web app instead."
    )


class PostHogProjectAdminRequired(PostHogPermissionError):
    """403: PostHog lets only project admins write here (provider keys), and the owner of the
    portal's personal API key is not one ("You don't have sufficient permissions in the
    project.")."""

    default_message = (
        "PostHog lets only project admins change provider keys, and the personal API key the "
        "portal uses belongs to someone who is not an admin of this project."
    )


class PostHogEvaluationEditorRequired(PostHogPermissionError):
    """403: the action would change evaluations, and the owner of the portal's personal API key
    may not edit them ("You do not have editor access to evaluations.")."""

    default_message = (
        "This would change which key evaluations run with, and PostHog does not let the owner "
        "of the portal's personal API key edit evaluations."
    )


class PostHogAIDataNotApproved(PostHogPermissionError):
    """403: the organization has not approved AI data processing (needed for AI summaries)."""


class PostHogNotFound(PostHogError):
    """404: the object does not exist, was deleted, or belongs to another project."""

    default_message = "PostHog could not find it; it may have been deleted."


class PostHogValidationError(PostHogError):
    """400: PostHog rejected the input; ``.field_errors`` says which fields and why."""

    default_message = "PostHog rejected the request."


class PostHogReconnectRequired(PostHogValidationError):
    """400: the integration's token could not be refreshed; it must be reconnected in PostHog."""


class PostHogWrongIntegrationKind(PostHogValidationError):
    """400: this endpoint serves another kind of integration ("only supported for Slack ...")."""


class PostHogNoEvaluationRuns(PostHogValidationError):
    """400: no evaluation runs match what a summary asked for."""


class PostHogRateLimited(PostHogError):
    """429: too many requests; ``.retry_after`` is the wait in seconds when PostHog said."""

    default_message = "PostHog is rate limiting the portal. Try again in a moment."


class PostHogSummaryInProgress(PostHogRateLimited):
    """429: another evaluation summary is being generated; PostHog makes one per project."""


class PostHogServerError(PostHogError):
    """5xx: PostHog (or a proxy in front of it) failed."""

    default_message = "PostHog had an internal error. Try again later."


class PostHogSummaryFailed(PostHogServerError):
    """500: PostHog's call to the summarising model failed ("Failed to generate summary")."""


class PostHogBadResponse(PostHogError):
    """A success status whose body is not what the API promises (or an unexpected redirect)."""

    default_message = "PostHog answered with something the portal did not expect."
