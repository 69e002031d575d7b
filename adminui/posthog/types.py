"""What every PostHog resource shares: lenient field readers, pages, users, deprecation notices.

Every result of this package is a frozen dataclass built by ``from_api(data)``. The builders are
deliberately lenient: PostHog may run any of several API generations (docs/posthog-contract.md
§0, §4), so unknown fields are ignored (or kept in ``extra``), optional fields default to
``None``, and both shapes of a response are accepted where two exist. Only a missing identity
field (an ``id``) is fatal; the transport turns that ``KeyError`` into `PostHogBadResponse`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------------------------
# Lenient field readers


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` or offset), or ``None`` for anything unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _str(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a list; anything else (``None``, a string) reads as empty."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value if item is not None] if isinstance(value, list) else []


def _build_list[T](factory: Callable[[dict[str, Any]], T], value: Any) -> list[T]:
    return [factory(item) for item in _dicts(value)]


def _required_list(data: Mapping[str, Any], key: str, *, dicts_only: bool = True) -> list[Any]:
    """``data[key]`` as a list; a missing or non-list value means the body is not what we expect."""
    value = data[key]
    if not isinstance(value, list):
        raise TypeError(f"{key} is not a list")
    return _dicts(value) if dicts_only else value


# --------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class Page[T]:
    """One page of a ``limit``/``offset`` envelope (``{count, next, previous, results}``)."""

    results: list[T]
    count: int | None
    limit: int
    offset: int
    next_offset: int | None
    previous_offset: int | None

    @property
    def has_next(self) -> bool:
        return self.next_offset is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_offset is not None

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        factory: Callable[[dict[str, Any]], T],
        *,
        limit: int,
        offset: int,
    ) -> Page[T]:
        results = data["results"]
        if not isinstance(results, list):
            raise TypeError("results is not a list")
        items = [factory(item) for item in _dicts(results)]
        return cls(
            results=items,
            count=_opt_int(data.get("count")),
            limit=limit,
            offset=offset,
            next_offset=_offset_of(data.get("next"), fallback=offset + limit),
            previous_offset=_offset_of(data.get("previous"), fallback=max(0, offset - limit)),
        )


def _offset_of(url: Any, *, fallback: int) -> int | None:
    """The ``offset`` query parameter of a ``next``/``previous`` link; ``None`` when no link."""
    if not isinstance(url, str) or not url:
        return None
    values = parse_qs(urlsplit(url).query).get("offset")
    parsed = _opt_int(values[0]) if values else None
    return parsed if parsed is not None else fallback


# --------------------------------------------------------------------------------------------
# Users


@dataclass(frozen=True)
class UserBasic:
    id: int | None
    uuid: str | None
    email: str
    first_name: str
    last_name: str

    @property
    def display_name(self) -> str:
        """What PostHog's own UI shows: the first name, else the email."""
        return self.first_name or self.email

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_opt_int(data.get("id")),
            uuid=_opt_str(data.get("uuid")),
            email=_str(data.get("email")),
            first_name=_str(data.get("first_name")),
            last_name=_str(data.get("last_name")),
        )

    @classmethod
    def maybe(cls, data: Any) -> Self | None:
        return cls.from_api(data) if isinstance(data, dict) else None


# --------------------------------------------------------------------------------------------
# Deprecation


@dataclass(frozen=True)
class DeprecationNotice:
    """PostHog said the API the portal calls is deprecated (``Deprecation``/``Sunset`` headers).

    The default ``/api/environments/`` prefix is such an alias; the UI shows admins a banner.
    """

    deprecation: str
    sunset: datetime | None
    successor: str | None
    first_seen: datetime
