"""What every PostHog resource shares: lenient field readers, pages, users, deprecation notices.

Every result of this package is a frozen dataclass built by ``from_api(data)``. The builders are
deliberately lenient: PostHog may run any of several API generations (docs/posthog-contract.md
§0, §4), so unknown fields are ignored (or kept in ``extra``), optional fields default to
``None``, and both shapes of a response are accepted where two exist. Only a missing identity
field (an ``id``) is fatal; the transport turns that ``KeyError`` into `PostHogBadResponse`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("adminui.posthog")

# What a builder raises for an item that lacks what the contract promises (see `_parse`).
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError)

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


def _uuid_str(value: Any) -> str:
    """A PostHog id that must be a UUID (the portal's URLs take nothing else), canonical."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError("an id that is not a UUID") from None


def _opt_uuid_str(value: Any) -> str | None:
    """An optional UUID reference; a malformed one reads as absent (shown without a link)."""
    try:
        return None if value in (None, "") else _uuid_str(value)
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


class Listing[T](list[T]):
    """The items of a list PostHog sent that the portal can use; ``skipped`` counts the others
    (a malformed id, a missing field), so pages can say some were left out."""

    def __init__(self, items: Iterable[T] = (), skipped: int = 0) -> None:
        super().__init__(items)
        self.skipped = skipped


def readable_items[T](factory: Callable[[dict[str, Any]], T], items: Iterable[Any]) -> Listing[T]:
    """Build each item; one PostHog sent malformed is left out (and counted), not fatal to the
    whole list: a page shows the rest and says how many it could not show."""
    built: list[T] = []
    skipped = 0
    for item in items:
        try:
            if not isinstance(item, dict):
                raise TypeError("not a JSON object")
            built.append(factory(item))
        except UNREADABLE as exc:
            skipped += 1
            logger.warning("Skipped an item PostHog sent that the portal cannot use (%s)", exc)
    return Listing(built, skipped)


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
    # Items of this page the portal could not use (see `readable_items`).
    skipped: int = 0

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
        items = readable_items(factory, _dicts(results))
        return cls(
            results=items,
            skipped=items.skipped,
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
