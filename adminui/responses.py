"""Responses that work the same for htmx and for plain browsers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a client-side redirect for htmx (a 302 would be swapped into
    the page), a plain redirect otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
