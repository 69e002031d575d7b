"""Responses that work the same for htmx and for plain browsers, and file downloads."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from adminui.web.htmx import HtmxHttpRequest


def go_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
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


# A spreadsheet runs a cell that starts like a formula; names come from PostHog and its users.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(rows: Iterable[dict], fields: list[str], filename: str) -> HttpResponse:
    """Rows as a CSV attachment, every cell made spreadsheet-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.DictWriter(response, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})
    return download(response, filename)


def json_download(data: object, filename: str) -> HttpResponse:
    response = JsonResponse(data, safe=False, json_dumps_params={"indent": 2})
    return download(response, filename)
