"""URL map. Every screen of an environment lives under /<environment>/; the view module for a
URL is named after its first path segment (keys/ -> views/provider_keys.py, and so on)."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import include, path, register_converter

from adminui.admin import admin_site
from adminui.posthog import PostHogEnvironment, get_environment
from adminui.views import audit, auth, overview


class EnvironmentConverter:
    """Turns the slug in /<environment>/... into its PostHogEnvironment (404 when unknown)."""

    regex = r"[a-z0-9][a-z0-9-]*"

    def to_python(self, value: str) -> PostHogEnvironment:
        try:
            return get_environment(value)
        except LookupError:
            raise ValueError(value) from None

    def to_url(self, value: PostHogEnvironment | str) -> str:
        return value if isinstance(value, str) else value.slug


register_converter(EnvironmentConverter, "env")

environment_urls = [
    path("", overview.overview, name="overview"),
]

urlpatterns = [
    path("", overview.home, name="home"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export.csv", audit.audit_log_csv, name="audit-log-csv"),
    path("<env:environment>/", include(environment_urls)),
]

handler403 = "adminui.errors.permission_denied"
