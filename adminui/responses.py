"""Responses that work the same for htmx and for plain browsers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a client-side redirect for htmx (a 302 would be swapped into
    the page), a plain redirect otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


class VaryOnHtmxMiddleware:
    """Views answer htmx with a fragment and browsers with a page at the same URL: say so, so no
    cache (the browser's included) hands one to the other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ["HX-Request"])
        return response
