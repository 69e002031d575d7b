"""Evaluations and their AI summaries: /<environment>/evaluations/ and everything under it.

Every role reads evaluations, summaries and their history; Editors and Admins ask for summaries.
Asking never waits on PostHog: the view stores a SummaryRequest, queues the background task
(`tasks.py` beside this) and answers at once; the summary panel then polls the stored request
(htmx) or offers a refresh link and refreshes itself (without JavaScript) until the task has
finished.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import (
    HttpResponseStopPolling,
    push_url,
    reswap,
    retarget,
    trigger_client_event,
)

from adminui.evaluations.chart import bar_chart
from adminui.evaluations.comparison import (
    PATTERN_GROUPS,
    counts_add_up,
    pass_rate,
    statistics_rows,
)
from adminui.evaluations.forms import JudgeForm, SummaryForm
from adminui.evaluations.kinds import (
    OUTPUT_LABELS,
    STATUS_REASONS,
    TARGET_LABELS,
    TYPE_LABELS,
    key_problem,
    key_problems,
    kind_of,
    label,
    summary_unavailable,
)
from adminui.evaluations.summaries import STALLED_AFTER_SECONDS, request_summary, summary_of
from adminui.models import SummaryRequest
from adminui.posthog import (
    PostHogEnvironment,
    PostHogNotFound,
    PostHogValidationError,
    get_client,
)
from adminui.web.concurrency import gather
from adminui.web.errors import render_list_failure
from adminui.web.failures import LABELS, RETRYABLE_KINDS, evaluation_not_found, filter_message
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.listcopy import Read, gather_copied, wants_refresh
from adminui.web.listing import (
    PAGE_SIZES,
    RemotePage,
    SortColumn,
    ordering_from,
    page_number,
    page_size_from,
)
from adminui.web.responses import go_to
from adminui.web.roles import Role, role_required

EVALUATION_COLUMNS = [
    SortColumn("name", "Name", lambda evaluation: evaluation.name),
    SortColumn("created", "Created", lambda evaluation: evaluation.created_at),
    SortColumn("updated", "Updated", lambda evaluation: evaluation.updated_at),
]
# The list is sorted, filtered and paged by PostHog: `o` maps onto its `order_by`.
ORDER_BY = {"name": "name", "created": "created_at", "updated": "updated_at"}
ENABLED_FILTER = {"true": True, "false": False}
# The list's filters, by the name PostHog's 400 gives them (its `attr`).
FILTER_LABELS = {"evaluation_type": "type", "order_by": "sort order"}
HISTORY_LIMIT = 100
# Without a worker a request stays queued; after this long the panel says so.
WORKER_WAIT_WARNING_SECONDS = 20


def generation_url(environment: PostHogEnvironment, generation_id: str) -> str:
    """Where PostHog shows a generation (the summary names generations, not their traces)."""
    return environment.project_url(
        f"llm-analytics/generations?{urlencode({'search': generation_id})}"
    )


def evaluation_url(environment: PostHogEnvironment, evaluation_id: str) -> str:
    return environment.project_url(f"llm-analytics/evaluations/{evaluation_id}")


def history_of(environment: PostHogEnvironment, evaluation_id: str):
    return SummaryRequest.objects.filter(environment=environment.slug, evaluation_id=evaluation_id)


def stored_request(
    environment: PostHogEnvironment, evaluation_id: str, summary_id: int
) -> SummaryRequest:
    return get_object_or_404(history_of(environment, evaluation_id), pk=summary_id)


def latest_summaries(environment: PostHogEnvironment, ids: list[str]) -> dict[str, dict]:
    """The newest succeeded summary per evaluation, with its pass rate, for the list."""
    succeeded = SummaryRequest.objects.filter(
        environment=environment.slug, status=SummaryRequest.Status.SUCCEEDED
    )
    newest = succeeded.filter(evaluation_id=OuterRef("evaluation_id")).order_by("-created_at")
    latest = succeeded.filter(evaluation_id__in=ids, pk=Subquery(newest.values("pk")[:1]))
    return {
        summary_request.evaluation_id: {
            "request": summary_request,
            "pass_rate": pass_rate(summary) if (summary := summary_of(summary_request)) else None,
        }
        for summary_request in latest
    }


@require_GET
@role_required(Role.VIEWER)
def evaluation_list(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    ordering = ordering_from(request.GET, EVALUATION_COLUMNS, default="-updated")
    size, number = page_size_from(request.GET), page_number(request.GET)
    client = get_client(environment)
    # PostHog filters, sorts and pages this list: each distinct query is its own copy.
    query: dict[str, Any] = {
        # The type goes to PostHog as typed: PostHog knows its newest types, and says so
        # (a 400 naming the filter) when one does not exist.
        "search": request.GET.get("q", "").strip() or None,
        "enabled": ENABLED_FILTER.get(request.GET.get("enabled", "")),
        "evaluation_type": request.GET.get("type", "").strip() or None,
        "order_by": ("-" if ordering.descending else "") + ORDER_BY[ordering.column],
        "limit": size,
        "offset": (number - 1) * size,
    }
    copied = gather_copied(
        environment,
        {
            "page": Read(
                ("evaluations", *sorted(query.items())),
                lambda: client.list_evaluations(**query),
            ),
            "keys": Read(("provider_keys",), client.list_provider_keys),
            "config": Read(("evaluation_config",), client.get_evaluation_config),
        },
        refresh=wants_refresh(request.GET),
    )
    loaded = copied.outcomes
    context = {
        "ordering": ordering,
        "columns": EVALUATION_COLUMNS,
        "page_sizes": PAGE_SIZES,
        "types": TYPE_LABELS,
        "filtered": any(request.GET.get(name) for name in ("q", "enabled", "type")),
        "environment_evaluations_url": environment.project_url("llm-analytics/evaluations"),
        "copy_age": None,  # a refused filter has no copy to date
    }
    outcome = loaded["page"]
    error = outcome.error
    if isinstance(error, PostHogValidationError) and error.attr in FILTER_LABELS:
        # A filter PostHog refused: say which, on the list, with the filters kept to fix it.
        context |= {"filter_error": filter_message(error, FILTER_LABELS[error.attr]), "rows": []}
        response = render_page(
            request, "evaluations/list.html", context, partial="evaluation-region"
        )
        response.status_code = 400
        return response
    if error:
        return render_list_failure(request, "evaluations/list.html", error, context)
    page = outcome.value
    latest = latest_summaries(environment, [e.id for e in page.results])
    problems = key_problems(page.results, loaded["keys"], loaded["config"])
    context |= {
        "page_obj": RemotePage.of(page, number),
        "skipped": page.skipped,
        "rows": [
            {
                "evaluation": evaluation,
                "type": label(TYPE_LABELS, evaluation.evaluation_type),
                "kind": kind_of(evaluation),
                "latest": latest.get(evaluation.id),
                "key_problem": problems.get(evaluation.id),
            }
            for evaluation in page.results
        ],
        "keys_unchecked": loaded["keys"].error or loaded["config"].error,
        "copy_age": copied.age_seconds,
    }
    return render_page(request, "evaluations/list.html", context, partial="evaluation-region")


@require_GET
@role_required(Role.VIEWER)
def evaluation_detail(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    return render_detail(request, environment, evaluation_id, SummaryForm())


def render_detail(
    request,
    environment,
    evaluation_id: str,
    form: SummaryForm | None = None,
    *,
    judge_form: JudgeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """An evaluation's page. A deleted evaluation's stored summaries stay readable."""
    history = history_of(environment, evaluation_id)
    client = get_client(environment)
    loaded = gather(
        {
            "evaluation": lambda: client.get_evaluation(evaluation_id),
            "keys": client.list_provider_keys,
            "config": client.get_evaluation_config,
        }
    )
    outcome = loaded["evaluation"]
    if isinstance(outcome.error, PostHogNotFound) and not history.exists():
        raise evaluation_not_found(outcome.error, evaluation_id)
    if outcome.error and not isinstance(outcome.error, PostHogNotFound):
        raise outcome.error
    context = detail_context(request, environment, evaluation_id, outcome, form or SummaryForm())
    evaluation = outcome.value
    if evaluation:
        context |= judge_context(evaluation, loaded, judge_form)
    return render(request, "evaluations/detail.html", context, status=status)


def judge_context(evaluation, loaded, judge_form: JudgeForm | None) -> dict:
    """The judge card: its key's health, and (for Editors) the form that changes key or model."""
    keys, config = loaded["keys"], loaded["config"]
    active = config.value.active_provider_key if config.ok else None
    problem = None
    if keys.ok and config.ok:
        problem = key_problem(evaluation, {key.id: key for key in keys.value}, active)
    if judge_form is None and keys.ok and evaluation.uses_provider_key:
        judge_form = JudgeForm(keys=keys.value, evaluation=evaluation)
    return {
        "judge_form": judge_form,
        "keys_outcome": keys,
        "key_problem": problem,
        "status_reason": STATUS_REASONS.get(
            evaluation.status_reason or "", evaluation.status_reason
        ),
    }


def detail_context(request, environment, evaluation_id, outcome, form) -> dict:
    history = list(history_of(environment, evaluation_id)[:HISTORY_LIMIT])
    current = None
    if chosen := request.GET.get("summary", ""):
        current = next((r for r in history if str(r.pk) == chosen), None)
    current = current or (history[0] if history else None)
    evaluation = outcome.value
    return {
        "evaluation": evaluation,
        "evaluation_id": evaluation_id,
        "evaluation_name": evaluation.name if evaluation else history[0].evaluation_name,
        "deleted": evaluation is None,
        "model": evaluation.model_configuration if evaluation else None,
        "type": label(TYPE_LABELS, evaluation.evaluation_type) if evaluation else "",
        "output": label(OUTPUT_LABELS, evaluation.output_type) if evaluation else "",
        "target": label(TARGET_LABELS, evaluation.target) if evaluation else "",
        "summary_unavailable": summary_unavailable(evaluation) if evaluation else "",
        "posthog_url": evaluation_url(environment, evaluation_id),
        "form": form,
        "history": history,
        "last_success": next(
            (r for r in history if r.status == SummaryRequest.Status.SUCCEEDED), None
        )
        if current and current.status == SummaryRequest.Status.FAILED
        else None,
        **panel_context(request, environment, current),
    }


def panel_context(
    request, environment, summary_request: SummaryRequest | None, refresh_url: str = ""
) -> dict:
    """Everything the summary panel (templates/evaluations/_summary_panel.html) shows."""
    if summary_request is None:
        return {"current": None}
    summary = summary_of(summary_request)
    page_url = reverse("evaluation-detail", args=[environment, summary_request.evaluation_id])
    # A worker stopped mid-call (restarted, killed) leaves a request running for ever.
    stalled = (
        summary_request.status == SummaryRequest.Status.RUNNING
        and summary_request.waited_seconds > environment.llm_read_timeout + STALLED_AFTER_SECONDS
    )
    return {
        "current": summary_request,
        "summary": summary,
        "rows": statistics_rows(summary) if summary else [],
        "chart": bar_chart([("", summary)]) if summary else None,
        "adds_up": counts_add_up(summary) if summary else True,
        "pass_rate": pass_rate(summary) if summary else None,
        "pattern_groups": pattern_groups(environment, summary) if summary else [],
        "failure_label": LABELS.get(summary_request.error_kind, ""),
        "retryable": summary_request.error_kind in RETRYABLE_KINDS,
        "organization_settings_url": environment.posthog_url("/settings/organization"),
        # No "#summary": a link that differs from the current URL only by its fragment would
        # scroll instead of reloading.
        "refresh_url": refresh_url or f"{page_url}?summary={summary_request.pk}",
        "worker_slow": (
            summary_request.status == SummaryRequest.Status.QUEUED
            and summary_request.waited_seconds >= WORKER_WAIT_WARNING_SECONDS
        ),
        "stalled": stalled,
        "polling": not summary_request.is_finished and not stalled,
    }


def pattern_groups(environment, summary) -> list[dict]:
    """Pass, fail and N/A patterns, each example generation with its link into PostHog."""
    return [
        {
            "key": field.removesuffix("_patterns"),
            "label": label,
            "patterns": [
                {
                    "pattern": pattern,
                    "examples": [
                        (generation_id, generation_url(environment, generation_id))
                        for generation_id in pattern.example_generation_ids
                    ],
                }
                for pattern in getattr(summary, field)
            ],
        }
        for field, label in PATTERN_GROUPS
    ]


@require_POST
@role_required(Role.EDITOR)
def summary_create(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    """Ask for a summary: store it, queue it, and answer at once with its (polling) panel."""
    form = SummaryForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"form": form, "evaluation_id": evaluation_id}
            response = render(request, "evaluations/detail.html#summary-form", context)
            return reswap(retarget(response, "#summary-form"), "outerHTML")
        return render_detail(request, environment, evaluation_id, form)
    evaluation = get_client(environment).get_evaluation(evaluation_id)
    if reason := summary_unavailable(evaluation):
        # PostHog's page offers no summary for it either: explain instead of asking.
        messages.error(request, reason)
        return go_to(request, reverse("evaluation-detail", args=[environment, evaluation_id]))
    summary_request, created = request_summary(
        user=request.user,
        environment=environment,
        evaluation_id=evaluation.id,
        evaluation_name=evaluation.name,
        **form.cleaned_data,
    )
    text = (
        "Summary requested. It runs in the background; you can leave this page and come back."
        if created
        else "A summary with these settings is already on its way; here it is."
    )
    url = reverse("evaluation-detail", args=[environment, evaluation_id])
    url += f"?summary={summary_request.pk}"
    messages.info(request, text)
    if not request.htmx:
        return redirect(url + "#summary")
    response = render(
        request,
        "evaluations/_summary_panel.html",
        panel_context(request, environment, summary_request),
    )
    response = trigger_client_event(response, "summariesChanged")
    return push_url(response, url)


@require_GET
@role_required(Role.VIEWER)
def summary_detail(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str, summary_id: int
) -> HttpResponse:
    """One stored summary request. htmx polls it for the panel: 286 stops polling when done."""
    summary_request = stored_request(environment, evaluation_id, summary_id)
    # The Refresh link (for when JavaScript is off) reloads the page the panel is on.
    page = request.htmx.current_url_abs_path if request.htmx else request.get_full_path()
    context = panel_context(request, environment, summary_request, refresh_url=page or "")
    if not request.htmx:
        return render(request, "evaluations/summary.html", context)
    if context["polling"]:
        return render(request, "evaluations/_summary_panel.html", context)
    response = render(request, "evaluations/_summary_panel.html", context)
    stopped = HttpResponseStopPolling(response.content)
    return trigger_client_event(stopped, "summariesChanged")
