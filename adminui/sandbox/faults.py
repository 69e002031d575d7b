"""Injected failures: what a flaky network, a proxy or an overloaded PostHog looks like."""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from adminui.sandbox.api import Response

_fault_ids = itertools.count(1)


def default_error_body(status: int) -> dict[str, Any]:
    """A PostHog-shaped (exceptions-hog) body for a bare status code."""
    known = {
        400: ("validation_error", "invalid_input", "Invalid input."),
        401: (
            "authentication_error",
            "authentication_failed",
            "Incorrect authentication credentials.",
        ),
        403: (
            "authentication_error",
            "permission_denied",
            "You do not have permission to perform this action.",
        ),
        404: ("invalid_request", "not_found", "Not found."),
        429: (
            "throttled_error",
            "throttled",
            "Request was throttled. Expected available in 60 seconds.",
        ),
    }
    type_, code, detail = known.get(status, ("server_error", "error", "A server error occurred."))
    return {"type": type_, "code": code, "detail": detail, "attr": None}


@dataclass
class Fault:
    path_regex: str
    method: str | None = None
    status: int | None = None
    body: str | dict | list | None = None
    non_json: bool = False
    drop: bool = False
    latency: float = 0.0
    times: int | None = None  # None: forever
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to hold the real answer after the request was handled (a change made, its answer
    # late): the client times out although PostHog did what it asked.
    answer_latency: float = 0.0
    id: int = field(default_factory=lambda: next(_fault_ids))

    def __post_init__(self) -> None:
        re.compile(self.path_regex)  # fail early, at add time, on a bad pattern
        if self.method and self.method != "*":
            self.method = self.method.upper()
        else:
            self.method = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and re.search(self.path_regex, path) is not None

    def response(self) -> Response | None:
        """What to answer instead of the real endpoint; None lets the request through."""
        if self.non_json:
            status = self.status or 502
            html = f"<html>{status} {HTTPStatus(status).phrase}</html>"
            return Response(status, html, dict(self.headers), "text/html")
        if self.status is None:
            return None
        body = default_error_body(self.status) if self.body is None else self.body
        content_type = "application/json"
        if isinstance(body, str) and not _is_json(body):
            content_type = "text/plain"
        return Response(self.status, body, dict(self.headers), content_type)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class Faults:
    """The active faults. The first one that matches a request applies to it."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        path_regex: str,
        *,
        method: str | None = None,
        status: int | None = None,
        body: str | dict | list | None = None,
        non_json: bool = False,
        drop: bool = False,
        latency: float = 0.0,
        times: int | None = None,
        headers: dict[str, str] | None = None,
        answer_latency: float = 0.0,
    ) -> Fault:
        fault = Fault(
            path_regex,
            method,
            status,
            body,
            non_json,
            drop,
            latency,
            times,
            dict(headers or {}),
            answer_latency,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def github_rate_limit(self, integration_id: int, retry_after: int = 30) -> Fault:
        """GitHub's secondary rate limit, as PostHog relays it on the GitHub actions."""
        return self.add(
            rf"/integrations/{integration_id}/github_",
            status=429,
            body={
                "detail": "GitHub API rate limit exceeded. Please retry later.",
                "code": "rate_limited",
            },
            headers={"Retry-After": str(retry_after)},
        )

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, counting it against the fault's `times`."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None
