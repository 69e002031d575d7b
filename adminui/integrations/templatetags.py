"""Template helpers for the integration pages (their query strings: `query` in `portal`)."""

from __future__ import annotations

import json

from django import template
from django.http import QueryDict

from adminui.integrations.registry import Column, Resource, opened_by

register = template.Library()


@register.filter
def cell(item, column: Column):
    """What a column of a panel's table shows for one item."""
    return column.display(item)


@register.filter
def row_id(item, resource: Resource):
    """The id a panel's row carries (`data-id`), which "Copy ids" copies."""
    return resource.row_id(item)


@register.filter
def choice(item, resource: Resource):
    """The value a row gives the next panel's choice (`resource.opens`)."""
    return resource.choice(item)


@register.filter
def opened_panel(resource: Resource) -> Resource | None:
    """The panel this resource's rows open (`registry.opened_by`), which their links swap."""
    return opened_by(resource)


@register.filter
def row_name(item, resource: Resource):
    return resource.row_name(item)


@register.filter
def param(params: QueryDict, name: str | None) -> str:
    """One parameter of the query string, named by a variable ("" when absent)."""
    return params.get(name, "") if name else ""


@register.filter
def indent_class(depth: int) -> str:
    """A CSS class for an account's depth in the Google Ads tree (no inline styles: CSP)."""
    return f"depth-{min(max(int(depth), 0), 6)}"


@register.filter
def as_json(value) -> str:
    """A configuration value as compact JSON (strings as they are)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
