"""A horizontal bar chart of runs by outcome, drawn as inline SVG on the server."""

from __future__ import annotations

from typing import Any

from adminui.evaluations.comparison import OUTCOMES
from adminui.posthog.evaluations import EvaluationSummary

CHART_WIDTH, CHART_LABEL, CHART_BAR, CHART_ROW = 480, 64, 300, 30


def bar_chart(series: list[tuple[str, EvaluationSummary]]) -> dict[str, Any]:
    """Geometry for a horizontal bar chart drawn as inline SVG by templates/evaluations/_chart.html.

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
