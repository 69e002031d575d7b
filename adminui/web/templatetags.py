"""Template helpers shared by every screen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.http import QueryDict
from django.template import defaultfilters
from django.utils import formats, timezone
from django.utils.timesince import timesince

from adminui.integrations.kinds import integration_kind_label
from adminui.keys.providers import key_state_label, provider_info, provider_label
from adminui.keys.rotation import age_in_days
from adminui.web.listcopy import REFRESH_PARAM

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context, *pairs, keep_page: bool = False, **changes) -> str:
    """The current query string with changes applied ("" or None removes a parameter), or ""
    when nothing is left: append it to a URL.

    Keeps a list's search, filters, sort and page in the URL, so views can be bookmarked.
    Changing anything but the page goes back to the first page, unless `keep_page`: an
    integration's page keeps every panel's choices (a repository search, the chosen
    repository, its branch page) in one query string, and a choice in one panel keeps the
    others' pages. Positional arguments are name/value pairs, for a parameter named by a
    variable: ``{% query param page.next_page_number %}``. A list's `refresh` (skip its copy
    of PostHog's answer) is never carried on: only its Refresh link asks for it.
    """
    updates = dict(zip(pairs[::2], pairs[1::2], strict=True)) | changes
    request = context["request"]
    # A page asks for the same link more than once (its href and hx-get): work it out once.
    # Typed, as 1 and True are equal keys but different values in a URL.
    known = request.__dict__.setdefault("_portal_queries", {})
    asked = (keep_page, *((name, type(value), value) for name, value in updates.items()))
    if asked not in known:
        params = request.GET.copy()
        params.pop(REFRESH_PARAM, None)
        if not keep_page and "page" not in updates:
            params.pop("page", None)
        encoded = changed_query(params, updates)
        known[asked] = f"?{encoded}" if encoded else ""
    return known[asked]


def changed_query(params: QueryDict, changes: dict) -> str:
    """`params` (a mutable copy) with `changes` applied, URL-encoded; None or "" removes a key."""
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def ago(moment: datetime | None) -> str:
    """ "3 days ago": the largest unit only, which is what a table has room for."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


register.filter("age_days", age_in_days)


@register.filter(expects_localtime=True)
def cached_date(value: datetime | None, date_format: str | None = None) -> str:
    """Django's `date` filter, remembered: a list shows the same times on every render, and
    Django's formatting costs tens of microseconds a call (bench/pages.py)."""
    if not isinstance(value, datetime):
        return defaultfilters.date(value, date_format)
    return formatted_time(value, str(value.tzinfo), date_format or "DATE_FORMAT")


@lru_cache(maxsize=4096)
def formatted_time(local: datetime, zone: str, date_format: str | None) -> str:
    """`local` in `date_format`, or in the locale's date and time as `{{ value }}` shows it.
    `zone` is part of the key: equal instants in two time zones read differently."""
    return formats.date_format(local, date_format) if date_format else formats.localize(local)


@register.filter
def toggled(ordering, column: str) -> str:
    """The `o` value for a sortable column header (see adminui.web.listing.Ordering)."""
    return ordering.toggled_for(column)


@register.filter(name="provider_label")
def provider_label_filter(slug: str | None) -> str:
    return provider_label(slug) if slug else ""


@register.filter
def can_be_active(slug: str) -> bool:
    """Whether the portal offers a provider's keys as the active key (not System One's)."""
    return provider_info(slug).can_be_active


# The API's results carry slugs; what people read for them is the UI's (keys/providers.py,
# integrations/kinds.py).
register.filter("key_state_label", key_state_label)
register.filter("integration_kind_label", integration_kind_label)


@register.filter
def get(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """`{{ mapping|get:key }}`: a dict's value for a key held in a variable."""
    return (mapping or {}).get(key)
