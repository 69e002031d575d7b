"""Template helpers for the integration pages (their query strings: `query` in `portal`)."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def indent_class(depth: int) -> str:
    """A CSS class for an account's depth in the Google Ads tree (no inline styles: CSP)."""
    return f"depth-{min(max(int(depth), 0), 6)}"


@register.filter
def as_json(value) -> str:
    """A configuration value as compact JSON (strings as they are)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
