"""Reading stored summaries side by side: statistics, the bar chart, and what changed."""

from __future__ import annotations

import re
from typing import Any

from adminui.posthog.evaluations import EvaluationSummary

OUTCOMES = [("pass", "Passed"), ("fail", "Failed"), ("na", "N/A")]
PATTERN_GROUPS = [
    ("pass_patterns", "Passing patterns"),
    ("fail_patterns", "Failing patterns"),
    ("na_patterns", "N/A patterns"),
]


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
