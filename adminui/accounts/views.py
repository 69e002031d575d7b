"""Log in and out with the portal's own accounts (Django auth)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.http import HttpRequest

from adminui.accounts.demo import DEMO_PASSWORD, demo_logins
from adminui.accounts.sessions import SIGNED_OUT_REASON


def login_context(request: HttpRequest) -> dict:
    """What the login page shows besides its form (also on the lockout answer): the demo
    accounts, and why the last session ended if it ended by itself."""
    return {
        "demo_logins": demo_logins(),
        "demo_password": DEMO_PASSWORD,
        "signed_out_reason": request.session.pop(SIGNED_OUT_REASON, ""),
    }


class PortalLoginView(LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | login_context(self.request)
