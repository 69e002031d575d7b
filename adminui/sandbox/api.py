"""HTTP plumbing shared by the sandbox's handlers: requests, responses, errors, routes, paging.

Error helpers build the body shapes PostHog really answers with. Raised DRF exceptions go
through drf-exceptions-hog and become `{type, code, detail, attr}`; views that build their own
`Response` answer raw `{"detail"}`, `{"error"}` or DRF's `{field: [messages]}` instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlencode

from adminui.sandbox.state import ApiKey, SandboxState


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, or str/bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        if self.body is None or self.status == 204:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class ApiError(Exception):
    """Raised by handlers to answer with `response` straight away."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.response = Response(status, body, headers or {})


def hog_error(status: int, type_: str, code: str, detail: str, attr: str | None = None) -> ApiError:
    return ApiError(status, {"type": type_, "code": code, "detail": detail, "attr": attr})


def validation_error(detail: str, attr: str | None = None, code: str = "invalid_input") -> ApiError:
    return hog_error(400, "validation_error", code, detail, attr)


def required(attr: str) -> ApiError:
    return validation_error("This field is required.", attr, "required")


def permission_denied(detail: str) -> ApiError:
    return hog_error(403, "authentication_error", "permission_denied", detail)


def not_found(detail: str = "Not found.") -> ApiError:
    return hog_error(404, "invalid_request", "not_found", detail)


def server_error() -> ApiError:
    return hog_error(500, "server_error", "error", "A server error occurred.")


def raw_error(status: int, body: dict[str, Any]) -> ApiError:
    return ApiError(status, body)


@dataclass
class Request:
    state: SandboxState
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    base_url: str
    project_id: int = 0
    api_key: ApiKey | None = None
    params: dict[str, str] = field(default_factory=dict)
    _data: dict[str, Any] | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A query parameter; the last value wins, as with Django's QueryDict."""
        values = self.query.get(name)
        return values[-1] if values else default

    def data(self) -> dict[str, Any]:
        """The parsed body: JSON or form-encoded, `{}` when empty (DRF's `request.data`)."""
        if self._data is None:
            self._data = parse_body(self.headers.get("Content-Type", ""), self.body)
        return self._data

    def url(self, **replace: int | None) -> str:
        """This request's absolute URL with some query parameters replaced (None removes)."""
        query = {key: values for key, values in self.query.items() if key not in replace}
        query |= {key: [str(value)] for key, value in replace.items() if value is not None}
        encoded = urlencode(sorted(query.items()), doseq=True)
        return f"{self.base_url}{self.path}" + (f"?{encoded}" if encoded else "")


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {key: values[-1] for key, values in parse_qs(body.decode()).items()}
    try:
        data = json.loads(body)
    except ValueError as error:
        raise hog_error(
            400, "invalid_request", "parse_error", f"JSON parse error - {error}"
        ) from None
    if not isinstance(data, dict):
        raise validation_error(
            f"Invalid data. Expected a dictionary, but got {type(data).__name__}."
        ) from None
    return data


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """One endpoint under `/api/projects/{id}/`, matched on the rest of the path.

    `scope` is what a personal API key needs. `session_only` marks custom actions that newest
    PostHog never mapped to a scope, so it refuses them to API keys, unless the sandbox's
    `legacy_integration_access` switch reproduces the older PostHog that served them.
    """

    method: str
    pattern: str
    handler: Handler
    scope: str
    session_only: bool = False

    def match(self, rest: str) -> dict[str, str] | None:
        found = re.fullmatch(self.pattern, rest)
        return found.groupdict() if found else None


def resolve(routes: list[Route], method: str, rest: str) -> tuple[Route, dict[str, str]]:
    allowed = False
    for route in routes:
        params = route.match(rest)
        if params is None:
            continue
        if route.method == method:
            return route, params
        allowed = True
    if allowed:
        raise hog_error(
            405, "invalid_request", "method_not_allowed", f'Method "{method}" not allowed.'
        )
    raise not_found()


def _positive_int(value: str | None, default: int, *, strict: bool) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return default if number < 0 or (strict and number == 0) else number


def paginate(request: Request, items: list[Any], serialize: Callable[[Any], dict]) -> Response:
    """DRF's LimitOffsetPagination: page size 100, no maximum, absolute next/previous URLs."""
    limit = _positive_int(request.arg("limit"), 100, strict=True)
    offset = _positive_int(request.arg("offset"), 0, strict=False)
    count = len(items)
    next_url = request.url(limit=limit, offset=offset + limit) if offset + limit < count else None
    if offset <= 0:
        previous_url = None
    elif offset - limit <= 0:
        previous_url = request.url(limit=limit, offset=None)
    else:
        previous_url = request.url(limit=limit, offset=offset - limit)
    results = [serialize(item) for item in items[offset : offset + limit]]
    body = {"count": count, "next": next_url, "previous": previous_url, "results": results}
    return Response(200, body)


def int_param(request: Request, name: str, default: int, *, low: int, high: int | None) -> int:
    """An integer query parameter validated like a DRF IntegerField (400 with `attr`)."""
    value = request.arg(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise validation_error("A valid integer is required.", name) from None
    if number < low:
        raise validation_error(
            f"Ensure this value is greater than or equal to {low}.", name, "min_value"
        )
    if high is not None and number > high:
        raise validation_error(
            f"Ensure this value is less than or equal to {high}.", name, "max_value"
        )
    return number


def page_of(items: list[Any], offset: int, limit: int) -> tuple[list[Any], bool]:
    return items[offset : offset + limit], offset + limit < len(items)
