"""One log line per request, with the request id and what the request cost in PostHog calls.

The request id comes from the load balancer's ``X-Request-ID`` when it looks like one (HAProxy
sets it, see deploy/haproxy.cfg), else a new one is made. It is sent to PostHog with every call
made for the request, returned in the response's ``X-Request-ID`` and shown on error pages, so
a user's quote finds the line in the portal's log and the call in PostHog's.

The PostHog client reports each call through `outgoing_headers` and `note_posthog_call`; the
numbers live in a context variable, so calls made in `adminui.web.concurrency.gather`'s threads
(which run in a copy of the request's context) count for their request too.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from adminui.posthog.redaction import redact_url

logger = logging.getLogger("adminui.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
# Probes hit these every few seconds; only their failures are worth a line.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


@dataclass
class RequestStats:
    request_id: str
    posthog_calls: int = 0
    posthog_ms: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_call(self, elapsed_ms: float) -> None:
        with self._lock:
            self.posthog_calls += 1
            self.posthog_ms += elapsed_ms


_current: contextvars.ContextVar[RequestStats | None] = contextvars.ContextVar(
    "adminui_request", default=None
)


def current_request_id() -> str | None:
    stats = _current.get()
    return stats.request_id if stats else None


def outgoing_headers() -> dict[str, str]:
    """Headers for a PostHog call: the request id, when the call is made for a request."""
    request_id = current_request_id()
    return {REQUEST_ID_HEADER: request_id} if request_id else {}


def note_posthog_call(started: float) -> None:
    """Count one PostHog call that began at ``started`` (time.monotonic()) and has ended."""
    stats = _current.get()
    if stats is not None:
        stats.add_call((time.monotonic() - started) * 1000)


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stats = RequestStats(request_id_for(request))
        request.request_id = stats.request_id  # type: ignore[attr-defined]
        token = _current.set(stats)
        structlog.contextvars.bind_contextvars(request_id=stats.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = stats.request_id
            if response.status_code != 200 or request.path not in QUIET_PATHS:
                _log(request, response, stats, (time.monotonic() - started) * 1000)
            return response
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            _current.reset(token)


def _log(
    request: HttpRequest, response: HttpResponse, stats: RequestStats, duration_ms: float
) -> None:
    path = redact_url(request.get_full_path())
    logger.info(
        "%s %s %s %.0f ms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={
            "request_id": stats.request_id,
            "user": _username(request),
            "environment": _environment_slug(request),
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
            "posthog_calls": stats.posthog_calls,
            "posthog_ms": round(stats.posthog_ms, 1),
        },
    )


def _username(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    try:
        return user.get_username() if user is not None and user.is_authenticated else None
    except DatabaseError:  # the database went away before the user was loaded
        return None


def _environment_slug(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    environment = match.kwargs.get("environment") if match else None
    return getattr(environment, "slug", None)
