"""Every web request gets a time budget for PostHog, below the server's worker timeout.

gunicorn kills a worker that takes longer than its ``timeout`` (``WEB_TIMEOUT``, read by
deploy/gunicorn.conf.py too), and the user would get a bare 500 with nothing in the audit log.
Inside a request, PostHog calls wait like a web request's (`retries.WEB`: about a second for
retries) and all end within ``POSTHOG_WEB_BUDGET`` seconds, which settings keep below
``WEB_TIMEOUT``; the page then says PostHog did not answer in time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from adminui.posthog.retries import web_request_budget


class PostHogBudgetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with web_request_budget(settings.POSTHOG_WEB_BUDGET):
            return self.get_response(request)
