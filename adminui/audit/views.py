"""The audit log: every write the portal sent to PostHog. Every role may read it, for the
environments it sees."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from adminui.audit.forms import audit_events
from adminui.models import AuditEvent
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.responses import csv_download
from adminui.web.roles import Role, role_required

CSV_COLUMNS = [
    "created_at",
    "actor_name",
    "environment",
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
    context = {"form": form, "page_obj": page}
    return render_page(request, "audit/log.html", context, partial="audit-table")


@require_GET
@role_required(Role.VIEWER)
def audit_log_csv(request: HtmxHttpRequest) -> HttpResponse:
    _, events = audit_events(request.GET, request.user)
    rows = (csv_row(event) for event in events.iterator())
    return csv_download(rows, CSV_COLUMNS, "adminui-audit-log.csv")


def csv_row(event: AuditEvent) -> dict:
    row = {column: getattr(event, column) for column in CSV_COLUMNS}
    row["details"] = json.dumps(event.details, sort_keys=True)
    return row
