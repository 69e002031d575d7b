"""Search, sort and pagination for lists, with their state in the query string.

PostHog's provider-key and integration lists have no filters, so the portal reads every page
and does this itself. Other lists PostHog pages itself (`RemotePage`). Either way the state lives
in the query string (`q`, `o`, `page`, `per_page`) so a view can be bookmarked and shared, as in
Django's admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import QueryDict

from adminui.posthog.types import Page as RemoteResults

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
    return size if size in (*PAGE_SIZES, default) else default


def page_number(params: QueryDict, name: str = "page") -> int:
    try:
        return max(1, int(params.get(name, 1)))
    except ValueError:
        return 1


def paginate(items: Sequence[Any], params: QueryDict, default_size: int = 25) -> Page:
    return Paginator(items, page_size_from(params, default_size)).get_page(params.get("page"))


def matches(query: str, *fields: str | None) -> bool:
    """Case-insensitive substring search over the given fields."""
    needle = query.strip().casefold()
    return not needle or any(needle in (field or "").casefold() for field in fields)


@dataclass(frozen=True)
class RemotePage:
    """One page of a list PostHog pages itself (limit/offset), shaped like Django's Page so the
    shared pager draws it. `total` is None when PostHog only says whether there is more."""

    items: list[Any]
    number: int
    per_page: int
    has_next: bool
    total: int | None = None

    @classmethod
    def of(cls, page: RemoteResults, number: int) -> RemotePage:
        """From the service module's `Page` of a limit/offset envelope."""
        return cls(page.results, number, page.limit, page.has_next, page.count)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def paginator(self) -> RemotePage:
        return self

    @property
    def count(self) -> int | None:
        return self.total

    @property
    def num_pages(self) -> int | None:
        return -(-self.total // self.per_page) if self.total is not None else None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)
