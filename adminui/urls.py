"""URL map. Every screen of an environment lives under /<environment>/; the package serving a
URL is named after its first path segment (keys/ -> adminui/keys/views.py, and so on)."""

from __future__ import annotations

from django.urls import include, path, register_converter

from adminui.accounts import oidc_views
from adminui.accounts import views as auth
from adminui.admin import admin_site
from adminui.alerts import views as alerts
from adminui.audit import views as audit
from adminui.environments import views as across
from adminui.evaluations import history, judge
from adminui.evaluations import views as evaluations
from adminui.integrations import views as integrations
from adminui.keys import rotate
from adminui.keys import views as keys
from adminui.ops import health
from adminui.overview import views as overview
from adminui.posthog import PostHogEnvironment, get_environment
from adminui.web import errors


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


class IdConverter:
    """A PostHog UUID, kept as the string the service module takes."""

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> str:
        return value.lower()

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(EnvironmentConverter, "env")
register_converter(IdConverter, "id")

key_urls = [
    path("", keys.key_list, name="key-list"),
    path("export.csv", keys.key_export, {"fmt": "csv"}, name="key-export-csv"),
    path("export.json", keys.key_export, {"fmt": "json"}, name="key-export-json"),
    path("add/", keys.key_add, name="key-add"),
    path("check/", keys.key_check, name="key-check"),
    path("validate/", keys.key_bulk_validate, name="key-bulk-validate"),
    path("validate/<int:run_id>/", keys.key_bulk_validation, name="key-bulk-validation"),
    path("<id:key_id>/", keys.key_detail, name="key-detail"),
    path("<id:key_id>/edit/", keys.key_edit, name="key-edit"),
    path("<id:key_id>/rotate/", rotate.key_rotate, name="key-rotate"),
    path("<id:key_id>/validate/", keys.key_validate, name="key-validate"),
    path("<id:key_id>/activate/", keys.key_activate, name="key-activate"),
    path("<id:key_id>/delete/", keys.key_delete, name="key-delete"),
    path(
        "<id:key_id>/move-evaluations/",
        judge.key_move_evaluations,
        name="key-move-evaluations",
    ),
]

integration_urls = [
    path("", integrations.integration_list, name="integration-list"),
    path("connect/", integrations.integration_connect, name="integration-connect"),
    path("<int:integration_id>/", integrations.integration_detail, name="integration-detail"),
    path(
        "<int:integration_id>/phone-numbers/refresh/",
        integrations.twilio_refresh,
        name="integration-twilio-refresh",
    ),
    path(
        "<int:integration_id>/repositories/refresh/",
        integrations.github_refresh,
        name="integration-github-refresh",
    ),
    path(
        "<int:integration_id>/<slug:resource>/",
        integrations.integration_panel,
        name="integration-panel",
    ),
    path(
        "<int:integration_id>/<slug:resource>/export.csv",
        integrations.integration_export,
        {"fmt": "csv"},
        name="integration-export-csv",
    ),
    path(
        "<int:integration_id>/<slug:resource>/export.json",
        integrations.integration_export,
        {"fmt": "json"},
        name="integration-export-json",
    ),
]

evaluation_urls = [
    path("", evaluations.evaluation_list, name="evaluation-list"),
    path("<id:evaluation_id>/", evaluations.evaluation_detail, name="evaluation-detail"),
    path("<id:evaluation_id>/summarize/", evaluations.summary_create, name="summary-create"),
    path("<id:evaluation_id>/judge/", judge.evaluation_judge, name="evaluation-judge"),
    path("<id:evaluation_id>/toggle/", judge.evaluation_toggle, name="evaluation-toggle"),
    path("<id:evaluation_id>/summaries/", history.summary_history, name="summary-history"),
    path(
        "<id:evaluation_id>/summaries/compare/",
        history.summary_compare,
        name="summary-compare",
    ),
    path(
        "<id:evaluation_id>/summaries/<int:summary_id>/",
        evaluations.summary_detail,
        name="summary-detail",
    ),
    path(
        "<id:evaluation_id>/summaries/<int:summary_id>/export.md",
        history.summary_export,
        {"fmt": "md"},
        name="summary-export-md",
    ),
    path(
        "<id:evaluation_id>/summaries/<int:summary_id>/export.json",
        history.summary_export,
        {"fmt": "json"},
        name="summary-export-json",
    ),
]

alert_urls = [
    path("", alerts.alert_list, name="alert-list"),
    path("test/", alerts.alert_test, name="alert-test"),
    path("<int:alert_id>/acknowledge/", alerts.alert_acknowledge, name="alert-acknowledge"),
]

environment_urls = [
    path("", overview.overview, name="overview"),
    path("keys/", include(key_urls)),
    path("evaluations/", include(evaluation_urls)),
    path("models/", keys.model_list, name="model-list"),
    path("integrations/", include(integration_urls)),
    path("alerts/", include(alert_urls)),
]

urlpatterns = [
    path("", overview.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("oidc/", include(oidc_views.urlpatterns)),
    path("admin/", admin_site.urls),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export.csv", audit.audit_log_csv, name="audit-log-csv"),
    # "environments" is reserved: no environment's slug can shadow these.
    path("environments/", across.all_environments, name="environments"),
    path("environments/keys/", across.keys_matrix, name="environments-keys"),
    path("alerts/", alerts.alerts_across, name="alerts-across"),
    path("<env:environment>/", include(environment_urls)),
    # Last: an address no route above knows (an unknown environment slug among them).
    path("<str:first_segment>/", errors.unknown_address, name="unknown-address"),
    path("<str:first_segment>/<path:rest>", errors.unknown_address, name="unknown-address-in"),
]

handler403 = "adminui.web.errors.permission_denied"
handler500 = "adminui.ops.errors.server_error"
