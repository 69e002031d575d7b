"""A stored summary request as a file: JSON data or a Markdown report."""

from __future__ import annotations

import re
from typing import Any

from adminui.evaluations.comparison import PATTERN_GROUPS, statistics_rows
from adminui.evaluations.summaries import summary_of
from adminui.models import SummaryRequest
from adminui.posthog.evaluations import SummaryPattern
from adminui.web.failures import LABELS


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


# Markdown readers render HTML and follow links: text from PostHog (or people) is made literal,
# so it can start no HTML, link, image, emphasis, code, table cell, heading or list.
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]|~!])")
_BLOCK_START = re.compile(r"^([#=+-]|\d+(?=[.)]))")
_WHITESPACE = re.compile(r"\s+")


def md_text(value: object) -> str:
    """One line of literal text."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = "".join(_HTML_ENTITIES.get(char, char) for char in text)
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0], text)


def md_paragraphs(value: object, prefix: str = "") -> list[str]:
    """Literal text that keeps its paragraphs; `prefix` starts every line (e.g. "> ")."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", str(value)):
        if text := md_text(paragraph):
            lines += [prefix.rstrip(), prefix + text] if lines else [prefix + text]
    return lines


def md_code(value: object) -> str:
    """An inline code span (literal in every reader), fenced longer than any backtick inside."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if longest else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def export_markdown(summary_request: SummaryRequest) -> str:
    r = summary_request
    lines = [
        f"# AI summary: {md_text(r.evaluation_name or r.evaluation_id)}",
        "",
        f"- Evaluation: {md_text(r.evaluation_name)} ({md_code(r.evaluation_id)})",
        f"- Runs: {r.get_filter_display()}"
        + (f", limited to {len(r.generation_ids)} generations" if r.generation_ids else ""),
        f"- Asked by {md_text(r.requested_by_name)} on {r.created_at:%Y-%m-%d %H:%M} UTC"
        + (" (regenerated)" if r.force_refresh else ""),
        f"- Status: {r.get_status_display()}"
        + (f", took {r.duration_seconds:.1f} s" if r.duration_seconds is not None else ""),
        "",
    ]
    summary = summary_of(r)
    if summary is None:
        if r.status == SummaryRequest.Status.FAILED:
            kind = LABELS.get(r.error_kind, r.error_kind)
            lines += ["## Error", "", f"**{md_text(kind)}.** {md_text(r.error_message)}", ""]
        return "\n".join(lines)
    lines += ["## Statistics", "", "| Outcome | Runs | Share |", "|---|---:|---:|"]
    for row in statistics_rows(summary):
        lines.append(f"| {row['label']} | {row['count']} | {row['percent']}% |")
    lines += [f"| **Analysed** | **{summary.statistics.total_analyzed}** | 100% |", ""]
    lines += ["## Overall assessment", "", *md_paragraphs(summary.overall_assessment), ""]
    for field, label in PATTERN_GROUPS:
        patterns: list[SummaryPattern] = getattr(summary, field)
        if not patterns:
            continue
        lines += [f"## {label}", ""]
        for pattern in patterns:
            heading = f"### {md_text(pattern.title)} ({md_text(pattern.frequency)})"
            lines += [heading, "", *md_paragraphs(pattern.description), ""]
            if pattern.example_reasoning:
                lines += [*md_paragraphs(pattern.example_reasoning, prefix="> "), ""]
            if pattern.example_generation_ids:
                ids = ", ".join(md_code(g) for g in pattern.example_generation_ids)
                lines += [f"Example generations: {ids}", ""]
    if summary.recommendations:
        lines += ["## Recommendations", ""]
        lines += [
            f"{n}. {md_text(text)}" for n, text in enumerate(summary.recommendations, start=1)
        ]
        lines.append("")
    return "\n".join(lines)
