"""Typed PostHog failures, and the one place that turns any failure into one of them.

Every error carries a ``.message`` written for the person using the portal: specific, human,
and free of secrets (it goes through `redact`). The raw facts stay available as attributes
(``status``, ``code``, ``detail``, ``attr``, ``field_errors``, ``retry_after``, ``path``) so views
can map a validation error onto form fields or show a "try again in N seconds" hint.

PostHog answers errors in several shapes (docs/posthog-contract.md §1.4): the exceptions-hog
``{type, code, detail, attr}``, a bare ``{detail}``, ``{error}`` or ``{error, detail}``, a raw DRF
``{field: [messages]}`` dict (possibly nested), and, from a proxy, HTML. `parse_error_body`
normalises all of them before `error_from_response` picks the class.

The class comes from the status, then from PostHog's text where it names something more specific
(`_SPECIFIC_CLASSES`: a summary already in progress, AI data processing not approved, an
integration to reconnect, ...), as PyGithub's ``Requester.createException`` does. This is the
only place that reads that text: the portal tells failures apart by type, and
`adminui.web.failures` says each type in words.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

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
    "bad_response",
    "error_from_exception",
    "error_from_response",
    "is_timeout",
    "non_json_success",
    "out_of_time",
    "parse_error_body",
    "parse_retry_after",
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


# --------------------------------------------------------------------------------------------
# Response bodies


@dataclass(frozen=True)
class ErrorBody:
    """An error body in one normalised shape, whatever PostHog sent."""

    is_json: bool
    type: str | None = None
    code: str | None = None
    detail: str | None = None
    attr: str | None = None
    field_errors: dict[str, list[str]] = field(default_factory=dict)


_NON_FIELD_KEYS = frozenset({"non_field_errors", "__all__"})


def parse_error_body(content: bytes | str | None) -> ErrorBody:
    """Normalise any of PostHog's error body shapes into an `ErrorBody`.

    The shapes are listed in docs/posthog-contract.md §1.4.
    """
    data = _loads(content)
    if data is _NOT_JSON:
        return ErrorBody(is_json=False)
    if isinstance(data, list):
        messages = _flatten_errors(data)
        return ErrorBody(is_json=True, detail=_first_message(messages))
    if not isinstance(data, dict):
        return ErrorBody(is_json=True, detail=_text(data))
    if "error" in data and isinstance(data["error"], str):
        return _error_key_body(data)
    if "detail" in data:
        return _detail_body(data)
    return _drf_body(data)


def _error_key_body(data: dict[str, Any]) -> ErrorBody:
    """``{"error": ...}`` or ``{"error": ..., "detail": ...}`` (hand-built summary responses)."""
    detail = data["error"]
    extra = _text(data.get("detail"))
    if extra and extra != detail:
        detail = f"{detail.rstrip('.')}: {extra}"
    return ErrorBody(is_json=True, code=_text(data.get("code")), detail=detail)


def _detail_body(data: dict[str, Any]) -> ErrorBody:
    """exceptions-hog ``{type, code, detail, attr}`` and bare ``{detail}`` / ``{detail, code}``."""
    attr = _text(data.get("attr"))
    detail = _text(data.get("detail"))
    if isinstance(data.get("detail"), (list, dict)):
        detail = _first_message(_flatten_errors(data["detail"]))
    field_errors = {attr: [detail]} if attr and detail else {}
    return ErrorBody(
        is_json=True,
        type=_text(data.get("type")),
        code=_text(data.get("code")),
        detail=detail,
        attr=attr,
        field_errors=field_errors,
    )


def _drf_body(data: dict[str, Any]) -> ErrorBody:
    """A raw ``serializer.errors`` dict: ``{field: [messages]}``, nested, or non_field_errors."""
    flat = _flatten_errors(data)
    non_field = flat.pop("", [])
    attr = next(iter(flat), None)
    detail = non_field[0] if non_field else (flat[attr][0] if attr else None)
    return ErrorBody(is_json=True, detail=detail, attr=attr, field_errors=flat)


def _flatten_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten nested DRF errors into ``{"a__b": [messages]}`` (exceptions-hog's attr style).

    Non-field errors end up under the empty name ``""``.
    """
    out: dict[str, list[str]] = {}

    def merge(name: str, value: Any) -> None:
        for key, messages in _flatten_errors(value, name).items():
            out.setdefault(key, []).extend(messages)

    if isinstance(data, dict):
        for key, value in data.items():
            name = prefix if str(key) in _NON_FIELD_KEYS else _join(prefix, str(key))
            merge(name, value)
    elif isinstance(data, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in data):
            messages = [_text(item) or "" for item in data if item not in (None, "")]
            if messages:
                out[prefix] = messages
        else:
            for index, item in enumerate(data):
                if item:
                    merge(_join(prefix, str(index)), item)
    elif data not in (None, ""):
        out[prefix] = [_text(data) or ""]
    return out


def _join(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def _first_message(flat: dict[str, list[str]]) -> str | None:
    for messages in flat.values():
        if messages:
            return messages[0]
    return None


_NOT_JSON = object()


def _loads(content: bytes | str | None) -> Any:
    if content is None or not content.strip():
        return _NOT_JSON
    try:
        return json.loads(content)
    except ValueError:
        return _NOT_JSON


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------------------------
# Retry-After


_EXPECTED_IN = re.compile(r"available in (\d+) seconds?", re.IGNORECASE)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> int | None:
    """Seconds to wait from a ``Retry-After`` header holding seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0, int(-(-seconds // 1)))  # round up: never retry too early


def _retry_after_from_detail(detail: str | None) -> int | None:
    """DRF's throttle text: "Request was throttled. Expected available in 5 seconds."."""
    match = _EXPECTED_IN.search(detail or "")
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------
# From an HTTP response


_SCOPE = re.compile(r"missing required scope ['\"]?([\w:*.-]+)['\"]?", re.IGNORECASE)
_PERSONAL_KEY_REFUSED = re.compile(r"does not support personal api key access", re.IGNORECASE)
_AI_DATA_NOT_APPROVED = re.compile(r"ai data processing", re.IGNORECASE)
_NOT_PROJECT_ADMIN = re.compile(r"sufficient permissions in the project", re.IGNORECASE)
_NOT_EVALUATION_EDITOR = re.compile(r"editor access to (all affected )?evaluations", re.I)
# PostHog's texts that name a more specific failure than its status does. This is the only place
# that reads them: everything else tells failures apart by their type.
_SPECIFIC_CLASSES: list[tuple[type[PostHogError], re.Pattern[str], type[PostHogError]]] = [
    (PostHogRateLimited, re.compile(r"already being generated", re.I), PostHogSummaryInProgress),
    (
        PostHogValidationError,
        re.compile(r"could not be refreshed|no longer valid", re.I),
        PostHogReconnectRequired,
    ),
    (PostHogValidationError, re.compile(r"only supported for", re.I), PostHogWrongIntegrationKind),
    (
        PostHogValidationError,
        re.compile(r"no evaluation runs found", re.I),
        PostHogNoEvaluationRuns,
    ),
    (PostHogServerError, re.compile(r"failed to generate summary", re.I), PostHogSummaryFailed),
]
_GENERIC_DETAILS = frozenset(
    {"not found.", "a server error occurred.", "you do not have permission to perform this action."}
)


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    content: bytes | str | None,
    *,
    method: str | None = None,
    path: str | None = None,
) -> PostHogError:
    """Map a PostHog HTTP error response (status >= 400) to the matching typed error."""
    body = parse_error_body(content)
    facts: dict[str, Any] = {
        "status": status,
        "code": body.code,
        "detail": body.detail,
        "attr": body.attr,
        "field_errors": body.field_errors,
        "path": path,
        "method": method,
    }
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if status == 429 and retry_after is None:
        retry_after = _retry_after_from_detail(body.detail)
    facts["retry_after"] = retry_after

    if not body.is_json:
        return _class_for_status(status)(_non_json_message(status), **facts)
    if status == 403:
        return _forbidden(body, facts)
    cls = _class_for_status(status)
    message = _MESSAGE_BUILDERS.get(cls, _generic_message)(body, status, retry_after)
    return _specific_class(cls, body.detail)(message, **facts)


def bad_response(reason: str, *, status: int | None, method: str, path: str) -> PostHogBadResponse:
    """A 2xx/3xx whose body or shape is not what the contract promises."""
    return PostHogBadResponse(
        f"PostHog answered with something the portal did not expect ({reason}).",
        status=status,
        method=method,
        path=path,
    )


def non_json_success(status: int, *, method: str, path: str) -> PostHogBadResponse:
    return PostHogBadResponse(
        f"PostHog (or a proxy in front of it) answered with a non-JSON {status} page "
        "where the portal expected JSON.",
        status=status,
        method=method,
        path=path,
    )


def _class_for_status(status: int) -> type[PostHogError]:
    if status == 401:
        return PostHogAuthError
    if status == 403:
        return PostHogPermissionError
    if status == 404:
        return PostHogNotFound
    if status in (400, 422):
        return PostHogValidationError
    if status == 429:
        return PostHogRateLimited
    if status >= 500:
        return PostHogServerError
    return PostHogError


def _specific_class(cls: type[PostHogError], detail: str | None) -> type[PostHogError]:
    """The subclass of ``cls`` PostHog's detail names, or ``cls`` itself."""
    return next(
        (
            specific
            for general, pattern, specific in _SPECIFIC_CLASSES
            if general is cls and pattern.search(detail or "")
        ),
        cls,
    )


def _forbidden(body: ErrorBody, facts: dict[str, Any]) -> PostHogError:
    detail = body.detail or ""
    scope = _SCOPE.search(detail)
    if scope:
        name = scope.group(1)
        return PostHogScopeError(
            f"The portal's personal API key is missing the '{name}' scope. Add it to the key "
            "in PostHog (Settings → Personal API keys), then try again.",
            scope=name,
            **facts,
        )
    if _PERSONAL_KEY_REFUSED.search(detail):
        return PostHogPersonalKeyRefused(**facts)
    if _NOT_PROJECT_ADMIN.search(detail):
        return PostHogProjectAdminRequired(**facts)
    if _NOT_EVALUATION_EDITOR.search(detail):
        return PostHogEvaluationEditorRequired(**facts)
    if _AI_DATA_NOT_APPROVED.search(detail):
        return PostHogAIDataNotApproved(f"PostHog refused the request: {detail}", **facts)
    if detail:
        return PostHogPermissionError(f"PostHog refused the request: {detail}", **facts)
    return PostHogPermissionError(**facts)


def _non_json_message(status: int) -> str:
    return f"PostHog (or a proxy in front of it) answered with a non-JSON {status} page."


def _specific(detail: str | None) -> str | None:
    """PostHog's detail, unless it is one of DRF's generic texts that say nothing new."""
    if detail and detail.strip().lower() not in _GENERIC_DETAILS:
        return detail.strip()
    return None


def _auth_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    reason = f" ({body.detail.rstrip('.')})" if body.detail else ""
    return (
        f"PostHog rejected the portal's personal API key{reason}. It may have been revoked or "
        "mistyped; ask an operator to check POSTHOG_PERSONAL_API_KEY."
    )


def _not_found_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    detail = _specific(body.detail)
    return detail if detail else PostHogNotFound.default_message


def _validation_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    if not body.detail:
        return PostHogValidationError.default_message
    if body.attr:
        return f"PostHog rejected the value of “{body.attr}”: {body.detail}"
    return f"PostHog rejected the request: {body.detail}"


def _rate_limited_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    wait = f"Try again in {_duration(retry_after)}." if retry_after else "Try again in a moment."
    detail = body.detail or ""
    if not detail or detail.lower().startswith("request was throttled"):
        return f"PostHog is rate limiting the portal. {wait}"
    if retry_after and "try again" not in detail.lower() and "retry" not in detail.lower():
        return f"{detail} {wait}"
    if retry_after:
        return f"{detail} ({wait})"
    return detail


def _server_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    if status == 503:
        base = "PostHog is temporarily unavailable (HTTP 503)."
    elif status in (502, 504):
        base = f"PostHog (or a proxy in front of it) failed with HTTP {status}."
    else:
        base = f"PostHog had an internal error (HTTP {status})."
    detail = _specific(body.detail)
    wait = f"Try again in {_duration(retry_after)}." if retry_after else "Try again later."
    return f"{base} {detail.rstrip('.')}. {wait}" if detail else f"{base} {wait}"


def _generic_message(body: ErrorBody, status: int, retry_after: int | None) -> str:
    detail = _specific(body.detail)
    suffix = f": {detail}" if detail else "."
    return f"PostHog answered HTTP {status}{suffix}"


_MESSAGE_BUILDERS = {
    PostHogAuthError: _auth_message,
    PostHogNotFound: _not_found_message,
    PostHogValidationError: _validation_message,
    PostHogRateLimited: _rate_limited_message,
    PostHogServerError: _server_message,
}


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


# --------------------------------------------------------------------------------------------
# From a transport exception


def error_from_exception(
    exc: BaseException,
    *,
    method: str,
    url: str,
    timeout: tuple[float, float],
) -> PostHogError:
    """Map a `requests`/`urllib3`/socket failure to `PostHogUnreachable` or `PostHogTimeout`.

    For writes, a dropped connection or read timeout leaves the outcome unknown, and the message
    says so: PostHog may have applied the change before the answer was lost.
    """
    where = _origin_label(url)
    path = urlsplit(url).path
    facts: dict[str, Any] = {"method": method, "path": path}
    unsure = (
        " The change may or may not have been saved; reload to check." if method != "GET" else ""
    )
    causes = list(_causes(exc))
    if any(_is_connect_timeout(c) for c in causes):
        return PostHogTimeout(
            f"PostHog at {where} did not accept a connection within {timeout[0]:g} seconds.",
            **facts,
        )
    if any(_is_timeout(c) for c in causes):
        return _unsure(
            PostHogTimeout(
                f"PostHog at {where} did not answer within {timeout[1]:g} seconds.{unsure}",
                **facts,
            )
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return PostHogUnreachable(
            f"Could not open a secure connection to PostHog at {where} (TLS/certificate error).",
            **facts,
        )
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return PostHogUnreachable(
            f"The PostHog address {where} is not a valid URL; check POSTHOG_HOST.", **facts
        )
    error = PostHogUnreachable(_connection_message(causes, where, unsure), **facts)
    return _unsure(error) if any(_is_dropped(c) for c in causes) else error


def _unsure[E: PostHogError](error: E) -> E:
    """Mark a write that reached PostHog unanswered: it may have been applied."""
    error.may_have_applied = error.method != "GET"
    return error


def is_timeout(exc: BaseException) -> bool:
    """Whether a transport failure is a timeout (connecting or reading)."""
    return any(_is_connect_timeout(c) or _is_timeout(c) for c in _causes(exc))


def out_of_time(budget: float | None, *, method: str, url: str, sent: bool) -> PostHogTimeout:
    """A web request's time budget ran out (`retries.web_request_budget`), before a call was
    sent or while it waited for the answer."""
    limit = f"this page's time limit ({budget:g} seconds in all)" if budget else "its time limit"
    if not sent:
        message = f"The portal stopped waiting for PostHog: the page reached {limit}."
    elif method != "GET":
        message = (
            f"PostHog did not answer within {limit}. The change may or may not have been saved; "
            "reload to check."
        )
    else:
        message = f"PostHog did not answer within {limit}."
    error = PostHogTimeout(message, method=method, path=urlsplit(url).path)
    return _unsure(error) if sent else error


def _is_connect_timeout(exc: BaseException) -> bool:
    """urllib3 makes NewConnectionError (e.g. refused) a ConnectTimeoutError; it is not one."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return isinstance(exc, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
        exc, urllib3.exceptions.NewConnectionError
    )


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (requests.Timeout, TimeoutError)):
        return True
    return isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(
        exc, urllib3.exceptions.NewConnectionError
    )


def _connection_message(causes: list[BaseException], where: str, unsure: str) -> str:
    if any(_is_dns_failure(c) for c in causes):
        host = urlsplit(where).hostname or where
        return f"Could not find PostHog's server: the name {host} does not resolve."
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"Could not connect to PostHog at {where}: the connection was refused."
    if any(_is_dropped(c) for c in causes):
        return f"The connection to PostHog at {where} was dropped before it answered.{unsure}"
    return f"Could not connect to PostHog at {where}."


def _causes(exc: BaseException) -> Any:
    """The exception, its args that are exceptions, and its cause/context chain."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            linked = getattr(current, attr, None)
            if isinstance(linked, BaseException):
                stack.append(linked)


def _is_dns_failure(exc: BaseException) -> bool:
    return isinstance(exc, (socket.gaierror, urllib3.exceptions.NameResolutionError))


def _is_dropped(exc: BaseException) -> bool:
    return isinstance(
        exc,
        (
            http.client.RemoteDisconnected,
            http.client.IncompleteRead,
            ConnectionResetError,
            ConnectionAbortedError,
            BrokenPipeError,
            urllib3.exceptions.ProtocolError,
            requests.exceptions.ChunkedEncodingError,
        ),
    )


def _origin_label(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, never any ``user:password@`` part."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.scheme or not parts.hostname:
        return "the configured address"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}"
