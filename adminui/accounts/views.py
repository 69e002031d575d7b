"""Log in and out: with the company's identity provider when configured, and with the portal's
own accounts (Django auth) unless LOCAL_LOGIN is off."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest
from django.shortcuts import redirect

from adminui.accounts.demo import DEMO_PASSWORD, demo_logins
from adminui.accounts.oidc_views import REFUSAL_SESSION_KEY, end_session_url
from adminui.accounts.sessions import SIGNED_OUT_REASON


def login_context(request: HttpRequest) -> dict:
    """What the login page shows besides its form (also on the lockout answer): the ways to
    sign in, the demo accounts, and why the last session ended or a sign-in was refused."""
    return {
        "demo_logins": demo_logins() if settings.LOCAL_LOGIN else [],
        "demo_password": DEMO_PASSWORD,
        "local_login": settings.LOCAL_LOGIN,
        "sso_name": settings.OIDC.provider_name if settings.OIDC else None,
        "sign_in_refusal": request.session.pop(REFUSAL_SESSION_KEY, None),
        "signed_out_reason": request.session.pop(SIGNED_OUT_REASON, ""),
    }


class PortalLoginView(LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN:
            request.session[REFUSAL_SESSION_KEY] = "Password sign-in is turned off here."
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | login_context(self.request)


class PortalLogoutView(LogoutView):
    """Ends the portal's session, then the provider's where it supports RP-initiated logout."""

    def post(self, request, *args, **kwargs):
        at_provider = end_session_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return redirect(at_provider) if at_provider else response
