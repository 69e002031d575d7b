"""The audit log: every write the portal sent to PostHog. Every role may read it, for the
environments they may see (adminui.audit.forms)."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from adminui.audit.forms import audit_events, unconfigured_name
from adminui.models import AuditEvent
from adminui.posthog import PostHogEnvironment, get_environments
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.responses import csv_download
from adminui.web.roles import Role, role_required

CSV_COLUMNS = [
    "created_at",
    "actor_name",
    "environment",
    "environment_name",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "outcome",
    "error",
    "details",
]


@require_GET
@role_required(Role.VIEWER)
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    form, events = audit_events(request.GET, request.user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    configured = get_environments()
    # Each event with its environment (None when no longer configured) and that one's name.
    rows = [(event, *named_environment(event, configured)) for event in page]
    context = {"form": form, "page_obj": page, "rows": rows}
    return render_page(request, "audit/log.html", context, partial="audit-table")


@require_GET
@role_required(Role.VIEWER)
def audit_log_csv(request: HtmxHttpRequest) -> HttpResponse:
    _, events = audit_events(request.GET, request.user)
    configured = get_environments()
    rows = (csv_row(event, configured) for event in events.iterator())
    return csv_download(rows, CSV_COLUMNS, "adminui-audit-log.csv")


def named_environment(
    event: AuditEvent, configured: dict[str, PostHogEnvironment]
) -> tuple[PostHogEnvironment | None, str]:
    environment = configured.get(event.environment)
    return environment, environment.name if environment else unconfigured_name(event.environment)


def csv_row(event: AuditEvent, configured: dict[str, PostHogEnvironment]) -> dict:
    row = {column: getattr(event, column) for column in CSV_COLUMNS if column != "environment_name"}
    row["environment_name"] = named_environment(event, configured)[1]
    row["details"] = json.dumps(event.details, sort_keys=True)
    return row
