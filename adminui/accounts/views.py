"""Log in and out with the portal's own accounts (Django auth)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.http import HttpRequest

from adminui.accounts.demo import DEMO_PASSWORD, demo_logins


def login_context(request: HttpRequest) -> dict:
    """What the login page shows besides its form (also on the lockout answer)."""
    return {"demo_logins": demo_logins(), "demo_password": DEMO_PASSWORD}


class PortalLoginView(LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | login_context(self.request)
