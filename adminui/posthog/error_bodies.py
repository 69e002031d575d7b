"""PostHog's error bodies and waits, read into plain facts before a failure is classified.

PostHog answers errors in several shapes (docs/posthog-contract.md §1.4): the exceptions-hog
``{type, code, detail, attr}``, a bare ``{detail}``, ``{error}`` or ``{error, detail}``, a raw DRF
``{field: [messages]}`` dict (possibly nested), and, from a proxy, HTML. `parse_error_body`
normalises all of them; `parse_retry_after` reads a wait from ``Retry-After`` (seconds or an
HTTP date) or from PostHog's "Expected available in N seconds" text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = ["ErrorBody", "parse_error_body", "parse_retry_after", "retry_after_from_detail"]

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


def retry_after_from_detail(detail: str | None) -> int | None:
    """DRF's throttle text: "Request was throttled. Expected available in 5 seconds."."""
    match = _EXPECTED_IN.search(detail or "")
    return int(match.group(1)) if match else None
