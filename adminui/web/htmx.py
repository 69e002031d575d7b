"""htmx-aware requests and "whole page or its partial" rendering."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed django-htmx's middleware (as its example project types it),
    from a signed-in user: LoginRequiredMiddleware turns everyone else away before a view."""

    htmx: HtmxDetails
    user: User


def render_page(
    request: HtmxHttpRequest, template: str, context: dict[str, Any], *, partial: str
) -> HttpResponse:
    """The whole page for a browser, only its `{% partialdef partial %}` for htmx. The same
    URL answers both, so VaryOnHtmxMiddleware adds `Vary: HX-Request` to every response."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context)
