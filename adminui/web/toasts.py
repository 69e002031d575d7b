"""Messages reach htmx answers as toasts, rendered by the server like every other message.

A full page shows pending messages in base.html's #toasts region. An htmx answer has no layout,
so this middleware appends the pending ones to it as an out-of-band swap into #toasts: the
browser builds no toast of its own, and a view just calls `django.contrib.messages`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_htmx.http import reswap

# htmx answers that send the browser to another page.
NAVIGATING_HEADERS = ("HX-Redirect", "HX-Location", "HX-Refresh")


def cannot_carry_messages(response: HttpResponse) -> bool:
    """A redirect's messages wait for the page it leads to; a 204, a download or a stream has
    no HTML body to carry them."""
    navigates = response.status_code in range(300, 400) or any(
        header in response for header in NAVIGATING_HEADERS
    )
    html = response.get("Content-Type", "").startswith("text/html")
    return navigates or response.status_code == 204 or response.streaming or not html


class HtmxMessagesMiddleware:
    """Append pending messages to htmx answers as an out-of-band swap into #toasts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or cannot_carry_messages(response):
            return response
        pending = get_messages(request)
        if not isinstance(pending, BaseStorage) or pending.used or not pending:
            return response  # shown already, or nothing to show
        response.content += render_to_string(
            "includes/messages.html#out-of-band", {"messages": pending}, request
        ).encode(response.charset)
        return response


def messages_only() -> HttpResponse:
    """An htmx answer that swaps nothing in place, so only its messages (out of band) land.
    Not a 204: htmx ignores a 204's body, and the messages travel in the body."""
    return reswap(HttpResponse(), "none")
