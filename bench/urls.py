"""The portal's URLs, and two pages that only the benchmarks serve: the floor under every page.

Each is a signed-in Viewer's request through the whole middleware stack that makes one PostHog
call through the portal's client (the call bench/pages.py times directly) and draws almost
nothing: one line, or one line in the layout every page has. What such a request costs beyond
the call is what any page costs before it draws a row (bench/pages.py prints both)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.backends.django import Template
from django.urls import path
from django.views.decorators.http import require_GET

from adminui.posthog import PostHogEnvironment, get_client
from adminui.urls import handler403, handler500  # noqa: F401 (the portal's error pages)
from adminui.urls import urlpatterns as portal_urlpatterns
from adminui.web.roles import Role, role_required

BARE = engines["django"].from_string("<!doctype html><title>Keys</title><p>{{ count }} keys</p>")
IN_THE_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>{{ count }} keys</p>{% endblock %}'
)


@require_GET
@role_required(Role.VIEWER)
def floor(
    request: HttpRequest, environment: PostHogEnvironment, *, template: Template
) -> HttpResponse:
    count = len(get_client(environment).list_provider_keys())
    return HttpResponse(template.render({"count": count}, request))


urlpatterns = [
    path("<env:environment>/bench/floor/", floor, {"template": BARE}),
    path("<env:environment>/bench/floor-in-the-layout/", floor, {"template": IN_THE_LAYOUT}),
    *portal_urlpatterns,
]
