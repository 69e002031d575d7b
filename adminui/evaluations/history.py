"""An evaluation's stored summaries: their history, two side by side, and their exports.

All of it reads what the portal stored (`SummaryRequest`), so none of it waits on PostHog.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from adminui.evaluations.chart import bar_chart
from adminui.evaluations.comparison import compare
from adminui.evaluations.exports import export_data, export_markdown
from adminui.evaluations.summaries import summary_of
from adminui.evaluations.views import HISTORY_LIMIT, history_of, stored_request
from adminui.models import SummaryRequest
from adminui.posthog import PostHogEnvironment
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.responses import download, json_download
from adminui.web.roles import Role, role_required


@require_GET
@role_required(Role.VIEWER)
def summary_history(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    """The stored requests of one evaluation (the region the detail page refreshes)."""
    history = list(history_of(environment, evaluation_id)[:HISTORY_LIMIT])
    context = {
        "history": history,
        "evaluation_id": evaluation_id,
        "evaluation_name": history[0].evaluation_name if history else "",
    }
    return render_page(request, "evaluations/history.html", context, partial="summary-history")


@require_GET
@role_required(Role.VIEWER)
def summary_compare(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    """Two stored summaries side by side: `?s=<id>&s=<id>` (older first), or `?a=&b=`."""
    history = history_of(environment, evaluation_id)
    succeeded = list(history.filter(status=SummaryRequest.Status.SUCCEEDED)[:HISTORY_LIMIT])
    chosen = request.GET.getlist("s") or [request.GET.get("a", ""), request.GET.get("b", "")]
    chosen = [value for value in chosen if value.isdigit()]
    pair = sorted((r for r in succeeded if str(r.pk) in chosen), key=lambda r: (r.created_at, r.pk))
    context = {
        "evaluation_id": evaluation_id,
        "evaluation_name": succeeded[0].evaluation_name if succeeded else "",
        "choices": succeeded,
        "a": pair[0] if len(pair) == 2 else None,
        "b": pair[1] if len(pair) == 2 else None,
    }
    if len(pair) != 2:
        if chosen:
            context["problem"] = "Pick two different summaries that succeeded to compare them."
        return render(request, "evaluations/compare.html", context)
    older, newer = summary_of(pair[0]), summary_of(pair[1])
    if older is None or newer is None:  # succeeded requests always store PostHog's answer
        raise Http404("A summary to compare has no stored result.")
    context |= {
        "sides": [("A", pair[0]), ("B", pair[1])],
        "diff": compare(older, newer),
        "chart": bar_chart([("A", older), ("B", newer)]),
        "different_scope": (pair[0].filter, pair[0].generation_ids)
        != (pair[1].filter, pair[1].generation_ids),
    }
    return render(request, "evaluations/compare.html", context)


@require_GET
@role_required(Role.VIEWER)
def summary_export(
    request: HtmxHttpRequest,
    environment: PostHogEnvironment,
    evaluation_id: str,
    summary_id: int,
    fmt: str,
) -> HttpResponse:
    summary_request = stored_request(environment, evaluation_id, summary_id)
    filename = f"adminui-summary-{summary_request.evaluation_id[:8]}-{summary_request.pk}.{fmt}"
    if fmt == "json":
        return json_download(export_data(summary_request), filename)
    markdown = export_markdown(summary_request)
    return download(HttpResponse(markdown, content_type="text/markdown; charset=utf-8"), filename)
