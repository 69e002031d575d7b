"""The audit log: every write the portal sent to PostHog. Every role may read it."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from adminui.forms import audit_events
from adminui.roles import Role, role_required

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
def audit_log(request: HttpRequest) -> HttpResponse:
    form, events = audit_events(request.GET)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "audit/log.html#audit-table" if request.htmx else "audit/log.html"
    return render(request, template, {"form": form, "page_obj": page})


@require_GET
@role_required(Role.VIEWER)
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    _, events = audit_events(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="adminui-audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for event in events.iterator():
        writer.writerow([getattr(event, column) for column in CSV_COLUMNS])
    return response
