"""Search, sort and pagination for lists the portal holds in memory.

PostHog's provider-key and integration lists have no filters, so the portal reads every page
and does this itself. The state lives in the query string (`q`, `o`, `page`, `per_page`) so a
view can be bookmarked and shared, as in Django's admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import QueryDict

PAGE_SIZES = (10, 25, 50, 100)


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Ordering:
    column: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column}" if self.descending else self.column

    def toggled_for(self, column: str) -> str:
        """The `o` value a column header links to: flip when already sorted by it."""
        if column == self.column:
            return column if self.descending else f"-{column}"
        return column


def ordering_from(params: QueryDict, columns: Sequence[SortColumn], default: str) -> Ordering:
    raw = params.get("o") or default
    name = raw.removeprefix("-")
    if name not in {column.key for column in columns}:
        raw, name = default, default.removeprefix("-")
    return Ordering(column=name, descending=raw.startswith("-"))


def sort_items(items: Iterable[Any], columns: Sequence[SortColumn], ordering: Ordering) -> list:
    """Sort by the chosen column; empty values always go last, whatever the direction."""
    value = next(column.value for column in columns if column.key == ordering.column)
    present = [item for item in items if value(item) is not None]
    missing = [item for item in items if value(item) is None]
    present.sort(key=value, reverse=ordering.descending)
    return present + missing


def page_size_from(params: QueryDict, default: int = 25) -> int:
    try:
        size = int(params.get("per_page", default))
    except ValueError:
        return default
    return size if size in PAGE_SIZES else default


def paginate(items: Sequence[Any], params: QueryDict, default_size: int = 25) -> Page:
    return Paginator(items, page_size_from(params, default_size)).get_page(params.get("page"))


def matches(query: str, *fields: str | None) -> bool:
    """Case-insensitive substring search over the given fields."""
    needle = query.strip().casefold()
    return not needle or any(needle in (field or "").casefold() for field in fields)
