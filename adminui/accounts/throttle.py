"""Login throttling with django-axes: failed password logins are counted per account and per
address in the database (so every instance sees them); after LOGIN_FAILURE_LIMIT failures either
is locked for LOGIN_LOCKOUT_MINUTES, or until an Admin unlocks it (adminui/admin.py)."""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class PasswordLoginThrottle(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a locked account or address before any backend
    checks a password. Only password logins are throttled: sign-in through the identity provider
    (no password; the provider throttles its own logins) goes on to the backends after this one.
    A failed sign-in of any kind still counts against the address (axes' signal handler)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or password is None:
            return None  # no password, or no client to throttle (a management command)
        return super().authenticate(request, username, password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The address failures count against: behind a trusted proxy, the one it saw (the last
    X-Forwarded-For entry, the only one a client cannot forge), else the connection's."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if last := forwarded.rsplit(",", 1)[-1].strip():
            return last
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (
        f"Too many failed attempts; try again in {minutes} minute{'s' if minutes != 1 else ''} "
        "or ask an Admin to unlock your account."
    )


class LockedOutForm(AuthenticationForm):
    """The login form as typed (the username kept), refused with the lockout's reason."""

    def clean(self):
        raise ValidationError(lockout_message(), code="locked_out")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """axes' lockout answer: the login page again, with the username kept and the reason."""
    from adminui.accounts.views import login_context

    # The password is never shown again; any value lets the form reach clean().
    typed = {"username": request.POST.get("username", ""), "password": "-"}
    context = login_context(request) | {"form": LockedOutForm(request, data=typed)}
    return render(request, "auth/login.html", context, status=429)
