"""Where PostHog failures become pages: views let PostHogError propagate and this renders it.

A full request gets the page layout with the message. An htmx request gets only the message,
placed where the user is looking without breaking the page (base.html configures htmx to swap
error responses; `place_for_htmx` says where):
- a failed read (GET) of a region shows as a panel *inside* that region, which keeps its id and
  triggers, so it can try again;
- a failed action, or a read with no region of its own (a dialog being fetched), shows as a
  toast, unless its form names its own error slot (an element whose id ends in "-errors", e.g.
  inside a modal dialog, where toasts would be hidden behind it).
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_htmx.http import reselect, reswap, retarget, trigger_client_event

from adminui.posthog import errors as ph
from adminui.web.failures import hint_for
from adminui.web.roles import visible_environments

logger = logging.getLogger(__name__)

# Portal status codes: upstream trouble is a gateway problem, not the user's fault.
STATUS_FOR = [
    (ph.PostHogNotFound, 404),
    (ph.PostHogTimeout, 504),
    (ph.PostHogRateLimited, 503),
    (ph.PostHogValidationError, 400),
    (ph.PostHogError, 502),
]


def status_for(error: ph.PostHogError) -> int:
    return next(status for cls, status in STATUS_FOR if isinstance(error, cls))


def retry_in_seconds(error: ph.PostHogError) -> int | None:
    """When a throttled read may be retried by itself: after PostHog's short Retry-After."""
    if isinstance(error, ph.PostHogRateLimited) and error.retry_after:
        return error.retry_after if error.retry_after <= AUTO_RETRY_MAX_SECONDS else None
    return None


def place_for_htmx(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put an error fragment where it helps, never in place of the region that asked."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return response
    target = htmx.target or ""
    if request.method == "GET" and target:
        return reselect(reswap(response, "innerHTML"), "[role=alert]")
    if target.endswith("-errors"):
        return reswap(response, "innerHTML")
    # An action, or a read with nowhere of its own to go (a dialog being appended to the page).
    return reswap(retarget(response, "#toasts"), "beforeend")


# A page that PostHog throttles reloads itself after the wait, when that wait is this short.
AUTO_RETRY_MAX_SECONDS = 60


def upstream_context(request: HttpRequest, error: ph.PostHogError) -> dict:
    """What templates/errors/upstream.html#upstream-error shows for this failure."""
    htmx = getattr(request, "htmx", None)
    retry_in = retry_in_seconds(error) if request.method == "GET" else None
    return {
        "error": error,
        "hint": hint_for(error),
        "not_found": status_for(error) == 404,
        "retry_in": retry_in,
        # An htmx region asks again by itself once PostHog accepts requests again.
        "retry_region": (htmx.target or "") if htmx and retry_in else "",
    }


def error_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A failure's response: its status, and when a throttled read may be tried again."""
    error = context["error"]
    response = render(request, template, context, status=status_for(error))
    if isinstance(error, ph.PostHogRateLimited) and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    if context["retry_in"] and not getattr(request, "htmx", None):
        # Without JavaScript too: browsers reload a page with a Refresh header by themselves.
        response["Refresh"] = str(context["retry_in"])
    return response


def render_upstream_error(request: HttpRequest, error: ph.PostHogError) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    template = "errors/upstream.html#upstream-error" if htmx else "errors/upstream.html"
    response = error_response(request, template, upstream_context(request, error))
    if htmx and request.method != "GET" and status_for(error) == 404:
        # The user acted on something that is gone: refresh what they are looking at.
        trigger_client_event(response, "dataChanged")
    return place_for_htmx(request, response)


def render_list_failure(
    request: HttpRequest, template: str, error: ph.PostHogError, frame: dict
) -> HttpResponse:
    """A list PostHog could not give. htmx gets the error inside the list's region, as for any
    failed read; a page keeps its heading, filters and actions (`frame`, its context without
    the list), with the error where the list would be (the template's `list_error` branch)."""
    if getattr(request, "htmx", None):
        return render_upstream_error(request, error)
    logger.warning("PostHog call failed for %s: %s", request.path, error.message)
    context = frame | upstream_context(request, error) | {"list_error": True}
    return error_response(request, template, context)


class PostHogErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ph.PostHogError):
            return None
        logger.warning(
            "PostHog call failed for %s: %s", request.path, exception.message, exc_info=False
        )
        return render_upstream_error(request, exception)


@require_safe
def unknown_address(request: HttpRequest, first_segment: str, rest: str = "") -> HttpResponse:
    """The portal's 404 page for an address no route knows, such as an unknown environment slug;
    a view rather than handler404 alone, so DEBUG shows it too instead of Django's debug page."""
    known = {environment.slug for environment in visible_environments(request.user)}
    return environment_not_found(request, first_segment if first_segment not in known else "")


def environment_not_found(request: HttpRequest, slug: str) -> HttpResponse:
    """The 404 page for an environment that is unknown, or hidden from this user (the same
    page, so it does not tell which); an empty `slug`: nothing at this address."""
    return render(request, "404.html", {"unknown_environment": slug}, status=404)


class NotFoundPageMiddleware:
    """A view's Http404 (an address a route matches but nothing answers, such as an integration
    list that does not exist or a summary the portal never stored) gets the portal's 404 page
    too: in DEBUG, Django would show its debug page instead of handler404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Http404):
            return None
        return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: the role message, as a page or (for htmx) in the region the user acted on."""
    template = "403.html#forbidden" if getattr(request, "htmx", False) else "403.html"
    response = render(request, template, {"exception": str(exception)}, status=403)
    # A refusal is expected, not a bug: one line, instead of Django's warning with a traceback.
    user = getattr(request, "user", None)
    logger.warning(
        "Forbidden: %s %s %s: %s",
        getattr(user, "username", "") or "anonymous",
        request.method,
        request.path.encode("unicode_escape").decode("ascii"),
        exception,
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's log_response skips it
    return place_for_htmx(request, response)


def add_to_form(form, error: ph.PostHogError) -> None:
    """Show a failed write on the form the user filled in, so nothing they typed is lost.

    PostHog's field errors go on the field they name; everything else (timeouts, 5xx, ...) on
    the form as a whole, with the same hint a page would give.
    """
    placed = False
    if isinstance(error, ph.PostHogValidationError):
        for field, field_messages in error.field_errors.items():
            if field in form.fields:
                for message in field_messages:
                    form.add_error(field, message)
                placed = True
    if not placed:
        hint = hint_for(error)
        form.add_error(None, f"{error.message} {hint}".strip())


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to an action's URL (a bookmark, a reload) with an empty 405; say what
    happened instead, on a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or getattr(request, "htmx", False):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
