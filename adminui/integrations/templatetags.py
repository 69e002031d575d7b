"""Template helpers for the integration browsers, whose panels share one query string."""

from __future__ import annotations

import json

from django import template

from adminui.web.templatetags import changed_query

register = template.Library()


@register.simple_tag(takes_context=True)
def state(context, *pairs, **changes) -> str:
    """The current query string with changes applied ("" or None removes a parameter).

    Unlike `query`, nothing else is reset: an integration page keeps every panel's choices
    (a repository search, the chosen repository, its branch page) in one query string.
    Positional arguments are name/value pairs, for a parameter named by a variable:
    ``{% state param page.next_page_number %}``.
    """
    updates = dict(zip(pairs[::2], pairs[1::2], strict=True)) | changes
    encoded = changed_query(context["request"].GET.copy(), updates)
    return f"?{encoded}" if encoded else ""


@register.filter
def indent_class(depth: int) -> str:
    """A CSS class for an account's depth in the Google Ads tree (no inline styles: CSP)."""
    return f"depth-{min(max(int(depth), 0), 6)}"


@register.filter
def as_json(value) -> str:
    """A configuration value as compact JSON (strings as they are)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
