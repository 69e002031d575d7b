"""A list page's content and its list region, drawn once per copy of PostHog's answer, not once
per request (each a `{% partialdef %}`: the page below the layout for a browser, the region for
htmx).

Re-filtering and reloading a list read its copy (`adminui.web.listcopy`); drawing the same rows
again was then most of such a page's time (bench/pages.py). `copied_region` keeps the drawing
in Django's cache (Redis in production, so every instance shares it) under the copy's
identity, the URL with its query string, and the viewer's role, for what is left of the copy's
life. A write through the portal moves the environment to a new generation of copies, so a
region drawn before it is never shown again; nothing here needs invalidating on its own.

Two things on such a region change from one request to the next, and are holes filled on the
way out: the CSRF token of its forms (each response its own, as Django hands them out: never
one person's token to another) and the copy's age (the template's `copy_age`, "As of N s ago").
Each drawing marks its holes with a random name kept beside it, which no text from PostHog can
contain. What the region works out from the time ("3 minutes ago", a key's age in days) is as
old as the drawing, at most `LIST_CACHE_MAX_AGE`, like the copy it shows.

Only URLs whose query string holds nothing but what the list reads are kept (a Refresh, or a
made-up parameter, is drawn and sent, not stored). A region holds no secret: lists show keys
as PostHog masks them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from adminui import __version__
from adminui.web.listcopy import REFRESH_PARAM, Copied, digest


def copied_region(
    request: HttpRequest,
    template: str,
    copied: Copied,
    context: Callable[[], dict[str, Any]],
    *,
    reads: Collection[str],
    vary: tuple[Hashable, ...] = (),
) -> SafeString:
    """`template` (a `{% partialdef %}`) drawn from `context()`, or as drawn before from the
    same copy for the same URL and `vary` (what else the region depends on: the role).
    `reads`: the query parameters the region reads. `context` is only called to draw."""
    key = None
    if copied.identity is not None and set(request.GET) <= set(reads) - {REFRESH_PARAM}:
        # The release too: a new release's markup is not mixed with an old one's drawings.
        where = digest(__version__, template, request.get_full_path(), *vary)
        key = f"region:{copied.identity}:{where}"
    drawn = cache.get(key) if key else None
    if drawn is None:
        hole = secrets.token_hex(16)
        holes = {"csrf_token": f"{hole}-csrf", "copy_age": f"{hole}-age"}
        drawn = (hole, render_to_string(template, context() | holes, request))
        life = settings.LIST_CACHE_MAX_AGE.total_seconds() - copied.age_seconds
        if key and life > 0:
            cache.set(key, drawn, timeout=life)
    hole, html = drawn
    html = html.replace(f"{hole}-age", str(copied.age_seconds))
    if f"{hole}-csrf" in html:
        html = html.replace(f"{hole}-csrf", get_token(request))
    # The template escaped everything it drew; the holes are a number and a CSRF token.
    return mark_safe(html)
