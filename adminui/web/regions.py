"""A list's region drawn once per copy of PostHog's answer, not once per request.

Re-filtering and reloading a list read its copy (`adminui.web.listcopy`); drawing the same rows
again was then most of such a page's time (bench/pages.py). `copied_region` keeps the drawn
region in Django's cache (Redis in production, so every instance shares it) under the copy's
identity, the URL with its query string, and the viewer's role, for as long as a copy lives.
A write through the portal moves the environment to a new generation of copies, so a region
drawn before it is never shown again; nothing here needs invalidating on its own.

Two things on such a region change from one request to the next, and are holes filled on the
way out: the CSRF token of its forms (a new mask each response, as Django hands them out) and
the copy's age ("As of N s ago"). Each drawing marks its holes with a random name kept beside
it, which no text from PostHog can contain.

A region holds no secret: lists show keys as PostHog masks them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from adminui.web.listcopy import Copied, digest


def copied_region(
    request: HttpRequest,
    template: str,
    copied: Copied,
    context: Callable[[], dict[str, Any]],
    *,
    age_name: str = "copy_age",
    vary: tuple[Hashable, ...] = (),
) -> SafeString:
    """`template` (a `{% partialdef %}`) drawn from `context()`, or as drawn before from the
    same copy for the same URL and `vary` (what else the region depends on: the role).
    `context` is only called to draw; the copy's age goes in as `age_name`."""
    key = None
    if copied.identity is not None:
        key = f"region:{copied.identity}:{digest(template, request.get_full_path(), *vary)}"
    drawn = cache.get(key) if key else None
    if drawn is None:
        hole = secrets.token_hex(16)
        holes = {"csrf_token": f"{hole}-csrf", age_name: f"{hole}-age"}
        drawn = (hole, render_to_string(template, context() | holes, request))
        if key:
            cache.set(key, drawn, timeout=settings.LIST_CACHE_MAX_AGE.total_seconds())
    hole, html = drawn
    html = html.replace(f"{hole}-age", str(copied.age_seconds))
    if f"{hole}-csrf" in html:
        html = html.replace(f"{hole}-csrf", get_token(request))
    # The template escaped everything it drew; the holes are a number and a CSRF token.
    return mark_safe(html)
