"""The one place that turns any PostHog failure into a typed error (`adminui.posthog.errors`).

From an HTTP answer, the class comes from the status, then from PostHog's text where it names
something more specific (`_SPECIFIC_CLASSES`: a summary already in progress, AI data processing
not approved, an integration to reconnect, ...), as PyGithub's ``Requester.createException``
does. This is the only code that reads that text: the portal tells failures apart by type. From a
transport exception, the class says whether PostHog could not be reached, did not answer in time,
or dropped the connection (and whether a write may have happened).
"""

from __future__ import annotations

import http.client
import re
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from adminui.posthog.error_bodies import (
    ErrorBody,
    parse_error_body,
    parse_retry_after,
    retry_after_from_detail,
)
from adminui.posthog.errors import (
    PostHogAIDataNotApproved,
    PostHogAuthError,
    PostHogBadResponse,
    PostHogError,
    PostHogEvaluationEditorRequired,
    PostHogNoEvaluationRuns,
    PostHogNotFound,
    PostHogPermissionError,
    PostHogPersonalKeyRefused,
    PostHogProjectAdminRequired,
    PostHogRateLimited,
    PostHogReconnectRequired,
    PostHogScopeError,
    PostHogServerError,
    PostHogSummaryFailed,
    PostHogSummaryInProgress,
    PostHogTimeout,
    PostHogUnreachable,
    PostHogValidationError,
    PostHogWrongIntegrationKind,
)

__all__ = [
    "bad_response",
    "error_from_exception",
    "error_from_response",
    "is_timeout",
    "non_json_success",
    "out_of_time",
]

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
        retry_after = retry_after_from_detail(body.detail)
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
