"""Log in and out with the portal's own accounts (Django auth)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView

from adminui.accounts.demo import DEMO_PASSWORD, demo_logins


class PortalLoginView(LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(demo_logins=demo_logins(), demo_password=DEMO_PASSWORD)
        return context
