"""The two single sign-on URLs: start at the provider, and come back from it.

Register `<portal>/oidc/callback/` as the redirect URI at the provider, and `<portal>/login/` as
the post-logout redirect URI. Every failure ends on the login page with a sentence saying what
happened; details go to the log.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from adminui.accounts.oidc import (
    ProviderUnavailable,
    SignInRefused,
    library_setting,
    oidc_config,
    provider_metadata,
)

logger = logging.getLogger(__name__)

# The login page shows (and forgets) the sentence a failed sign-in left in the session.
REFUSAL_SESSION_KEY = "adminui_sign_in_refusal"


def refuse(request: HttpRequest, message: str) -> HttpResponse:
    request.session[REFUSAL_SESSION_KEY] = message
    return redirect("login")


def unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("Single sign-on unavailable: %s", reason)
    fallback = " or use a local account" if settings.LOCAL_LOGIN else ""
    return refuse(
        request,
        f"Sign-in with {oidc_config().provider_name} is unavailable: {reason}. "
        f"Try again in a moment{fallback}.",
    )


def unverified(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("Single sign-on answer refused: %s", reason)
    return refuse(
        request,
        f"The answer from {oidc_config().provider_name} could not be verified, so nobody was "
        "signed in. Start again from this page.",
    )


class SignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (state, nonce and PKCE)."""

    get_settings = staticmethod(library_setting)
    OIDC_OP_AUTH_ENDPOINT = property(lambda self: provider_metadata().authorization_endpoint)
    OIDC_RP_CLIENT_ID = property(lambda self: oidc_config().client_id)

    def __init__(self, **kwargs) -> None:
        # The library reads its endpoints here; ours are discovered when first used.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if settings.OIDC is None:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except ProviderUnavailable as error:
            return unavailable(request, str(error))


class CallbackView(OIDCAuthenticationCallbackView):
    """Checks the provider's answer, signs the person in and sets their role from their groups."""

    get_settings = staticmethod(library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if settings.OIDC is None:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return refuse(request, str(refusal))
        except SuspiciousOperation as error:
            return unverified(request, str(error))
        except ProviderUnavailable as error:
            return unavailable(request, str(error))
        except requests.HTTPError as error:
            # A 4xx from the token endpoint: it refused the code (made up, replayed or expired).
            status = error.response.status_code if error.response is not None else 500
            if status < 500:
                return unverified(request, f"token endpoint answered {status}")
            return unavailable(request, f"the provider answered {status}")
        except requests.RequestException as error:
            return unavailable(request, f"the provider did not answer ({type(error).__name__})")

    def login_failure(self) -> HttpResponse:
        # The provider answered with an error (a cancelled sign-in, say), or with an answer to
        # a sign-in this browser did not start.
        error = self.request.GET.get("error")
        reason = f" ({error})" if error and error.replace("_", "").isalnum() else ""
        return refuse(
            self.request,
            f"Sign-in with {oidc_config().provider_name} did not complete{reason}. Try again.",
        )


def end_session_url(request: HttpRequest) -> str | None:
    """Where to send the browser so the provider ends its session too, if it offers that."""
    id_token = request.session.get("oidc_id_token")
    if settings.OIDC is None or not id_token:
        return None
    try:
        endpoint = provider_metadata().end_session_endpoint
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": oidc_config().client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


urlpatterns = [
    path("authenticate/", login_not_required(SignInView.as_view()), name="oidc-sign-in"),
    path("callback/", login_not_required(CallbackView.as_view()), name="oidc-callback"),
]
