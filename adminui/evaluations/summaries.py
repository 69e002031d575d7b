"""AI evaluation summaries: asking for one, explaining PostHog's answers, comparing and exporting.

A summary is asked for with `request_summary`, which stores a `SummaryRequest` and queues the
background task (`tasks.summarize_evaluation`) that calls PostHog. Everything here works on
stored requests, so reading, comparing and exporting never wait on PostHog.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from adminui.models import SummaryRequest
from adminui.posthog import PostHogEnvironment
from adminui.posthog import errors as ph
from adminui.posthog.evaluations import EvaluationSummary, SummaryPattern

MAX_GENERATION_IDS = 250  # PostHog's EVALUATION_SUMMARY_MAX_RUNS
# A request still running this long after PostHog's LLM read timeout has lost its worker.
STALLED_AFTER_SECONDS = 60
OUTCOMES = [("pass", "Passed"), ("fail", "Failed"), ("na", "N/A")]
PATTERN_GROUPS = [
    ("pass_patterns", "Passing patterns"),
    ("fail_patterns", "Failing patterns"),
    ("na_patterns", "N/A patterns"),
]

# -------------------------------------------------------------------------------------------
# The request form


class SummaryForm(forms.Form):
    filter = forms.ChoiceField(
        choices=SummaryRequest.Filter.choices,
        initial=SummaryRequest.Filter.ALL,
        widget=forms.RadioSelect,
        label="Runs to summarise",
    )
    generation_ids = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
        label="Only these generations",
        help_text=(
            f"Optional. Generation ids (UUIDs), one per line or comma-separated, at most "
            f"{MAX_GENERATION_IDS}. Empty: PostHog reads the {MAX_GENERATION_IDS} most recent runs."
        ),
    )
    force_refresh = forms.BooleanField(
        required=False,
        label="Regenerate (skip PostHog's one-hour cache)",
    )

    def clean_generation_ids(self) -> list[str]:
        return parse_generation_ids(self.cleaned_data["generation_ids"])


def parse_generation_ids(text: str) -> list[str]:
    """Pasted ids (lines and/or commas) as normalised UUIDs, duplicates dropped, in order.

    Raises ValidationError naming each bad line, or saying how many ids are too many.
    """
    ids: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for value in (part.strip() for part in line.split(",")):
            if not value:
                continue
            try:
                ids.append(str(uuid.UUID(value)))
            except ValueError:
                problems.append(
                    f"Line {number}: “{_shorten(value)}” is not a generation id (UUID)."
                )
    if problems:
        raise forms.ValidationError(problems)
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_GENERATION_IDS:
        raise forms.ValidationError(
            f"You pasted {len(unique)} generation ids; PostHog summarises at most "
            f"{MAX_GENERATION_IDS} runs at a time. Remove {len(unique) - MAX_GENERATION_IDS}."
        )
    return unique


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# -------------------------------------------------------------------------------------------
# Asking


def request_summary(
    *,
    user: AbstractBaseUser,
    environment: PostHogEnvironment,
    evaluation_id: str,
    evaluation_name: str,
    filter: str,
    generation_ids: list[str],
    force_refresh: bool,
) -> tuple[SummaryRequest, bool]:
    """Store a summary request and queue it; (request, created).

    The same request still queued or running is returned instead of asking PostHog twice
    (PostHog makes one summary per project at a time anyway), unless it is a regeneration.
    """
    from adminui.evaluations.tasks import summarize_evaluation

    if not force_refresh:
        # A request running for longer than PostHog is given has lost its worker: not pending.
        alive_since = timezone.now() - timedelta(
            seconds=environment.llm_read_timeout + STALLED_AFTER_SECONDS
        )
        pending = SummaryRequest.objects.filter(
            Q(status=SummaryRequest.Status.QUEUED)
            | Q(status=SummaryRequest.Status.RUNNING, started_at__gte=alive_since),
            environment=environment.slug,
            evaluation_id=evaluation_id,
            filter=filter,
            generation_ids=generation_ids,
        ).first()
        if pending:
            return pending, False
    summary_request = SummaryRequest.objects.create(
        requested_by=user,
        requested_by_name=user.get_username(),
        environment=environment.slug,
        evaluation_id=evaluation_id,
        evaluation_name=evaluation_name,
        filter=filter,
        generation_ids=generation_ids,
        force_refresh=force_refresh,
    )
    queued = summarize_evaluation.enqueue(summary_request.pk)
    SummaryRequest.objects.filter(pk=summary_request.pk).update(task_id=str(queued.id))
    # The immediate backend has already run it; either way, read what is stored now.
    summary_request.refresh_from_db()
    return summary_request, True


# -------------------------------------------------------------------------------------------
# PostHog's answers, explained

FAILURE_KINDS = {
    "locked": "Another summary running",
    "throttled": "Rate limited",
    "not_approved": "AI data processing not approved",
    "scope": "Missing API key scope",
    "forbidden": "Refused",
    "auth": "API key rejected",
    "not_found": "Evaluation not found",
    "no_runs": "No runs to summarise",
    "invalid": "Request rejected",
    "failed": "PostHog could not generate it",
    "server": "PostHog error",
    "timeout": "Timed out",
    "unreachable": "PostHog unreachable",
    "error": "Error",
    "internal": "Worker error",
}
# Failures that asking again (later, or after fixing something in PostHog) can cure.
RETRYABLE = {
    "locked",
    "throttled",
    "not_approved",
    "scope",
    "auth",
    "failed",
    "server",
    "timeout",
    "unreachable",
    "error",
    "internal",
}


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str
    retry_after: int | None = None
    fields: dict[str, list[str]] | None = None


def failure_of(
    error: ph.PostHogError, environment: PostHogEnvironment, summary_request: SummaryRequest
) -> Failure:
    """What went wrong, said for the person who asked, with what they (or who) can do."""
    detail = f"{error.detail or ''} {error.message}".lower()
    retry_after = error.retry_after
    if isinstance(error, ph.PostHogRateLimited):
        if "already being generated" in detail:
            return Failure(
                "locked",
                "Another summary is being generated for this project right now, and PostHog "
                "makes one at a time per project. Try again when it finishes (usually within a "
                "minute).",
                retry_after,
            )
        wait = f"in {retry_after} seconds" if retry_after else "in a few minutes"
        return Failure(
            "throttled",
            "PostHog's limit on summaries was reached (it allows 50 a minute, 200 an hour and "
            f"500 a day per API key). Try again {wait}.",
            retry_after,
        )
    if isinstance(error, ph.PostHogScopeError):
        return Failure("scope", error.message)
    if isinstance(error, ph.PostHogPermissionError) and "ai data processing" in detail:
        return Failure(
            "not_approved",
            "PostHog summarises evaluation runs only after your organization approves AI data "
            "processing, and it has not. An organization admin must approve AI data processing "
            "in PostHog's organization settings; then ask again.",
        )
    if isinstance(error, ph.PostHogPermissionError):
        return Failure("forbidden", error.message)
    if isinstance(error, ph.PostHogAuthError):
        return Failure("auth", error.message)
    if isinstance(error, ph.PostHogNotFound):
        return Failure(
            "not_found",
            f"PostHog has no evaluation {summary_request.evaluation_id} in this project: it may "
            "have been deleted.",
        )
    if isinstance(error, ph.PostHogValidationError) and "no evaluation runs found" in detail:
        scope = summary_request.get_filter_display().lower()
        among = (
            f" among the {len(summary_request.generation_ids)} generations you listed"
            if summary_request.generation_ids
            else ""
        )
        return Failure(
            "no_runs",
            f"PostHog found no {scope}{among} to summarise. Choose another filter, or check "
            "the generation ids.",
        )
    if isinstance(error, ph.PostHogValidationError):
        fields = dict(error.field_errors)
        if fields:
            listed = "; ".join(
                f"{name.replace('_', ' ')}: {' '.join(messages)}"
                for name, messages in fields.items()
            )
            return Failure("invalid", f"PostHog rejected the request ({listed}).", fields=fields)
        return Failure("invalid", error.message)
    if isinstance(error, ph.PostHogServerError) and "failed to generate summary" in detail:
        return Failure(
            "failed",
            "PostHog failed to generate the summary (its call to the summarising model did not "
            "succeed). This is usually temporary: try again in a minute.",
            retry_after,
        )
    if isinstance(error, ph.PostHogServerError):
        return Failure("server", error.message, retry_after)
    if isinstance(error, ph.PostHogTimeout):
        return Failure(
            "timeout",
            f"PostHog did not finish the summary within {environment.llm_read_timeout:g} "
            "seconds. It may still finish on PostHog's side: asking again in a minute can "
            "return it from PostHog's one-hour cache.",
        )
    if isinstance(error, ph.PostHogUnreachable):
        return Failure("unreachable", error.message)
    return Failure("error", error.message, retry_after)


def internal_failure(exception: BaseException) -> Failure:
    return Failure(
        "internal",
        f"The background worker failed while asking for this summary "
        f"({type(exception).__name__}). Its log has the details; try again.",
    )


# -------------------------------------------------------------------------------------------
# Reading a stored summary


def summary_of(summary_request: SummaryRequest) -> EvaluationSummary | None:
    if not summary_request.succeeded or not summary_request.result:
        return None
    return EvaluationSummary.from_api(summary_request.result)


def statistics_rows(summary: EvaluationSummary) -> list[dict[str, Any]]:
    """Passed / Failed / N/A with counts and shares of the total analysed."""
    stats = summary.statistics
    total = stats.total_analyzed
    return [
        {
            "key": key,
            "label": label,
            "count": getattr(stats, f"{key}_count"),
            "percent": round(100 * getattr(stats, f"{key}_count") / total) if total else 0,
        }
        for key, label in OUTCOMES
    ]


def counts_add_up(summary: EvaluationSummary) -> bool:
    stats = summary.statistics
    return stats.pass_count + stats.fail_count + stats.na_count == stats.total_analyzed


CHART_WIDTH, CHART_LABEL, CHART_BAR, CHART_ROW = 480, 64, 300, 30


def bar_chart(series: list[tuple[str, EvaluationSummary]]) -> dict[str, Any]:
    """Geometry for a horizontal bar chart drawn as inline SVG by templates/evaluations/chart.html.

    One group of bars per outcome, one bar per summary in `series` ((name, summary) pairs); the
    bars share one scale, the largest count, so two summaries compare at a glance.
    """
    largest = max(
        (getattr(s.statistics, f"{key}_count") for _, s in series for key, _ in OUTCOMES),
        default=0,
    )
    bar_height = 20 if len(series) == 1 else 14
    rows, y = [], 8
    for key, label in OUTCOMES:
        bars = []
        for index, (name, summary) in enumerate(series):
            count = getattr(summary.statistics, f"{key}_count")
            total = summary.statistics.total_analyzed
            width = round(CHART_BAR * count / largest) if largest else 0
            bars.append(
                {
                    "name": name,
                    "series": index,
                    "y": y,
                    "width": max(width, 1 if count else 0),
                    "count": count,
                    "percent": round(100 * count / total) if total else 0,
                    "text_x": CHART_LABEL + max(width, 1) + 6,
                    "text_y": y + bar_height - 5,
                }
            )
            y += bar_height + 2
        rows.append(
            {"key": key, "label": label, "label_y": bars[0]["y"] + bar_height - 5, "bars": bars}
        )
        y += CHART_ROW - bar_height
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": y,
        "label_width": CHART_LABEL,
        "track_width": CHART_BAR,
        "bar_height": bar_height,
        "names": [name for name, _ in series],
    }


# -------------------------------------------------------------------------------------------
# Comparing two summaries


def _title_key(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


# Whether a rise is good news: more passes is, more failures or N/A is not; volume is neither.
GOOD_WHEN_UP = {"pass_count": True, "pass_rate": True, "fail_count": False, "na_count": False}


def tone(key: str, delta: float | None) -> str:
    """ "good", "bad" or "" (no change, or no judgement) for a change in a statistic."""
    if not delta or key not in GOOD_WHEN_UP:
        return ""
    return "good" if (delta > 0) == GOOD_WHEN_UP[key] else "bad"


def compare(older: EvaluationSummary, newer: EvaluationSummary) -> dict[str, Any]:
    """What changed from `older` to `newer`: statistics, patterns by title, recommendations."""
    stats = []
    for key, label in [("total_analyzed", "Analysed"), *[(f"{k}_count", v) for k, v in OUTCOMES]]:
        before = getattr(older.statistics, key)
        after = getattr(newer.statistics, key)
        delta = after - before
        stats.append(
            {"label": label, "a": before, "b": after, "delta": delta, "tone": tone(key, delta)}
        )
    rate_a, rate_b = pass_rate(older), pass_rate(newer)
    patterns = []
    for field, label in PATTERN_GROUPS:
        a = {_title_key(p.title): p for p in getattr(older, field)}
        b = {_title_key(p.title): p for p in getattr(newer, field)}
        patterns.append(
            {
                "label": label,
                "appeared": [b[k] for k in b if k not in a],
                "disappeared": [a[k] for k in a if k not in b],
                "kept": [
                    {"title": b[k].title, "a": a[k].frequency, "b": b[k].frequency}
                    for k in b
                    if k in a
                ],
            }
        )
    recs_a = {_title_key(r) for r in older.recommendations}
    recs_b = {_title_key(r) for r in newer.recommendations}
    rate_delta = None if rate_a is None or rate_b is None else round(rate_b - rate_a, 1)
    return {
        "statistics": stats,
        "pass_rate": {
            "a": rate_a,
            "b": rate_b,
            "delta": rate_delta,
            "tone": tone("pass_rate", rate_delta),
        },
        "patterns": patterns,
        "recommendations": {
            "a": [{"text": r, "only": _title_key(r) not in recs_b} for r in older.recommendations],
            "b": [{"text": r, "only": _title_key(r) not in recs_a} for r in newer.recommendations],
        },
    }


def pass_rate(summary: EvaluationSummary) -> float | None:
    """Passed as a share of the runs that were judged (N/A runs left out), in percent."""
    stats = summary.statistics
    judged = stats.pass_count + stats.fail_count
    return round(100 * stats.pass_count / judged, 1) if judged else None


# -------------------------------------------------------------------------------------------
# Exports


def export_data(summary_request: SummaryRequest) -> dict[str, Any]:
    """A stored request as plain JSON-ready data (no secrets: none are ever stored)."""
    r = summary_request
    data: dict[str, Any] = {
        "evaluation": {"id": r.evaluation_id, "name": r.evaluation_name},
        "environment": r.environment,
        "request": {
            "id": r.pk,
            "requested_by": r.requested_by_name,
            "requested_at": r.created_at.isoformat(),
            "filter": r.filter,
            "generation_ids": r.generation_ids,
            "force_refresh": r.force_refresh,
            "status": r.status,
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            "duration_seconds": r.duration_seconds,
        },
    }
    if r.succeeded:
        data["summary"] = r.result
    elif r.status == SummaryRequest.Status.FAILED:
        data["error"] = {
            "kind": r.error_kind,
            "message": r.error_message,
            "retry_after": r.error_retry_after,
            "fields": r.error_fields,
        }
    return data


def export_markdown(summary_request: SummaryRequest) -> str:
    r = summary_request
    lines = [
        f"# AI summary: {r.evaluation_name or r.evaluation_id}",
        "",
        f"- Evaluation: {r.evaluation_name} (`{r.evaluation_id}`)",
        f"- Runs: {r.get_filter_display()}"
        + (f", limited to {len(r.generation_ids)} generations" if r.generation_ids else ""),
        f"- Asked by {r.requested_by_name} on {r.created_at:%Y-%m-%d %H:%M} UTC"
        + (" (regenerated)" if r.force_refresh else ""),
        f"- Status: {r.get_status_display()}"
        + (f", took {r.duration_seconds:.1f} s" if r.duration_seconds is not None else ""),
        "",
    ]
    summary = summary_of(r)
    if summary is None:
        if r.status == SummaryRequest.Status.FAILED:
            kind = FAILURE_KINDS.get(r.error_kind, r.error_kind)
            lines += ["## Error", "", f"**{kind}.** {r.error_message}", ""]
        return "\n".join(lines)
    lines += ["## Statistics", "", "| Outcome | Runs | Share |", "|---|---:|---:|"]
    for row in statistics_rows(summary):
        lines.append(f"| {row['label']} | {row['count']} | {row['percent']}% |")
    lines += [f"| **Analysed** | **{summary.statistics.total_analyzed}** | 100% |", ""]
    lines += ["## Overall assessment", "", summary.overall_assessment, ""]
    for field, label in PATTERN_GROUPS:
        patterns: list[SummaryPattern] = getattr(summary, field)
        if not patterns:
            continue
        lines += [f"## {label}", ""]
        for pattern in patterns:
            lines += [f"### {pattern.title} ({pattern.frequency})", "", pattern.description, ""]
            if pattern.example_reasoning:
                lines += [f"> {pattern.example_reasoning}", ""]
            if pattern.example_generation_ids:
                ids = ", ".join(f"`{g}`" for g in pattern.example_generation_ids)
                lines += [f"Example generations: {ids}", ""]
    if summary.recommendations:
        lines += ["## Recommendations", ""]
        lines += [f"{n}. {text}" for n, text in enumerate(summary.recommendations, start=1)]
        lines.append("")
    return "\n".join(lines)
