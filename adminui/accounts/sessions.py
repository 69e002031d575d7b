"""How long a login lasts: SESSION_IDLE_TIMEOUT without a request ends it, and so does
SESSION_MAX_AGE after logging in, however active; an Admin can end all of a user's sessions at once
("log out everywhere"). The checks read the session and one row (SessionEpoch), so they hold with
any session backend."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from adminui.models import SessionEpoch

LOGIN_AT = "adminui_login_at"
SEEN_AT = "adminui_seen_at"
EPOCH = "adminui_epoch"
SIGNED_OUT_REASON = "adminui_signed_out_reason"

# Noting activity writes the session: at most once a minute.
SEEN_RESOLUTION = 60


def epoch_of(user_id: int) -> int:
    return SessionEpoch.objects.filter(user_id=user_id).values_list("epoch", flat=True).first() or 0


@receiver(user_logged_in)
def stamp_session(sender, request: HttpRequest, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGIN_AT] = request.session[SEEN_AT] = now
    request.session[EPOCH] = epoch_of(user.pk)


def log_out_everywhere(user) -> None:
    """End every session `user` has, on every device, whatever stores the sessions."""
    updated = SessionEpoch.objects.filter(user=user).update(epoch=F("epoch") + 1)
    if not updated:
        SessionEpoch.objects.get_or_create(user=user, defaults={"epoch": 1})


def spelled(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def why_over(request: HttpRequest, now: float) -> str | None:
    """Why this authenticated session must end now, or None while it may go on."""
    session = request.session
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return "Please log in again."  # a session from before these limits
    if now - login_at > settings.SESSION_MAX_AGE.total_seconds():
        return f"Logins last {spelled(settings.SESSION_MAX_AGE)}: please log in again."
    if now - seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        idle = spelled(settings.SESSION_IDLE_TIMEOUT)
        return f"You were logged out after {idle} without activity: please log in again."
    if session.get(EPOCH, 0) != epoch_of(int(request.user.pk or 0)):
        return "An Admin logged you out on every device: please log in again."
    return None


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware, before LoginRequiredMiddleware (which then sends the
    visitor to the login page, where the reason is shown)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            if reason := why_over(request, now):
                logout(request)
                request.session[SIGNED_OUT_REASON] = reason
            elif now - request.session[SEEN_AT] >= SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return whole_page_for_htmx(request, self.get_response(request))


def whole_page_for_htmx(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """htmx follows a redirect by itself and would swap the login page into a region: send the
    browser to it instead, coming back to the page it was on."""
    login_url = resolve_url(settings.LOGIN_URL)
    if request.headers.get("HX-Request") != "true" or not isinstance(
        response, HttpResponseRedirect
    ):
        return response
    if urlsplit(response["Location"]).path != login_url:
        return response
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = page.path + (f"?{page.query}" if page.query else "") if page.path else "/"
    return HttpResponseClientRedirect(redirect_to_login(back).url)
