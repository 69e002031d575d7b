"""handler500: the error page with the request id to quote, and a clear page for outages; and
what Django's error reports (debug page, error emails) may show of the settings.

An unreachable database (PostgreSQL restarting, say) is not a bug in the portal: it gets a 503
that says what is happening and that nothing was lost, and a Retry-After. Both pages render
without a request context, since the context processors themselves may need the database.
"""

from __future__ import annotations

import re
import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.debug import SafeExceptionReporterFilter

from adminui.ops.requestlog import current_request_id

OUTAGE_RETRY_AFTER = "10"


def server_error(request: HttpRequest) -> HttpResponse:
    context = {"request_id": current_request_id()}
    if isinstance(sys.exc_info()[1], DatabaseError):
        page = loader.get_template("errors/unavailable.html").render(context)
        response = HttpResponse(page, status=503)
        response["Retry-After"] = OUTAGE_RETRY_AFTER
        return response
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


class SecretSettingsFilter(SafeExceptionReporterFilter):
    """Django's list of secret-looking setting names, plus URLs and webhooks: a Slack or webhook
    URL (DATABASE_URL, CACHE_URL too) carries its credential in the address."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern + "|URL|HOOK", flags=re.IGNORECASE
    )
