"""Evaluations and the evaluation summary, computed from the sandbox's own evaluation runs."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

from adminui.sandbox.api import (
    Request,
    Response,
    Route,
    hog_error,
    not_found,
    paginate,
    permission_denied,
    raw_error,
    validation_error,
)
from adminui.sandbox.resources.evaluation_updates import update_evaluation
from adminui.sandbox.resources.provider_keys import canonical_uuid, is_uuid
from adminui.sandbox.state import Evaluation, EvaluationRun

ORDERINGS = ("created_at", "-created_at", "updated_at", "-updated_at", "name", "-name")
EVALUATION_TYPES = ("llm_judge", "hog", "sentiment")
SUMMARY_MAX_RUNS = 250
SUMMARY_CACHE_SECONDS = 3600
SUMMARY_FILTERS = ("all", "pass", "fail", "na")


# --- Evaluations -----------------------------------------------------------------------------


def list_evaluations(request: Request) -> Response:
    """EvaluationFilter (a django-filter FilterSet): a bad value is a 400 through exceptions-hog,
    reported for the first bad filter in the FilterSet's order (id__in, evaluation_type,
    order_by). `enabled` is a NullBooleanField: a value it does not know filters nothing."""
    state = request.state
    evaluations = [e for e in state.evaluations.values() if not e.deleted]
    if ids := request.arg("id__in"):
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if not all(is_uuid(part) for part in wanted):
            raise validation_error("Enter a valid UUID.", "id__in")
        wanted_ids = {canonical_uuid(part) for part in wanted}
        evaluations = [e for e in evaluations if e.id in wanted_ids]
    enabled = request.arg("enabled")
    if enabled in ("true", "True", "1", "false", "False", "0"):
        evaluations = [e for e in evaluations if e.enabled == (enabled in ("true", "True", "1"))]
    if evaluation_type := request.arg("evaluation_type"):
        if evaluation_type not in EVALUATION_TYPES:
            raise _invalid_choice(evaluation_type, "evaluation_type")
        evaluations = [e for e in evaluations if e.evaluation_type == evaluation_type]
    if search := (request.arg("search") or "").lower():
        evaluations = [e for e in evaluations if search in f"{e.name}\n{e.description}".lower()]
    orderings = [
        part.strip() for part in (request.arg("order_by") or "").split(",") if part.strip()
    ]
    for order_by in orderings:
        if order_by not in ORDERINGS:
            raise _invalid_choice(order_by, "order_by")
    # The queryset's own order is -created_at; the last ordering given sorts first.
    for order_by in reversed(orderings or ["-created_at"]):
        field = order_by.lstrip("-")
        evaluations.sort(key=lambda e: getattr(e, field), reverse=order_by.startswith("-"))
    return paginate(request, evaluations, lambda e: e.to_json(state.provider_keys))


def _invalid_choice(value: str, attr: str):
    detail = f"Select a valid choice. {value} is not one of the available choices."
    return validation_error(detail, attr, "invalid_choice")


def retrieve_evaluation(request: Request) -> Response:
    evaluation = request.state.evaluations.get(canonical_uuid(request.params["id"]) or "")
    if evaluation is None or evaluation.deleted:
        raise not_found()
    return Response(200, evaluation.to_json(request.state.provider_keys))


# --- Evaluation summary ----------------------------------------------------------------------


def evaluation_summary(request: Request) -> Response:
    state = request.state  # throttled before this, in sandbox/throttles.py
    if not request.state.switches.ai_data_processing_approved:
        raise permission_denied(
            "AI data processing must be approved by your organization before using summarization"
        )
    params = parse_summary_request(request.data())
    evaluation = state.evaluations.get(params["evaluation_id"])
    if evaluation is None or evaluation.deleted:
        raise raw_error(404, {"error": f"Evaluation {params['evaluation_id']} not found"})
    runs = matching_runs(evaluation, params["filter"], params["generation_ids"])
    if not runs:
        raise raw_error(400, {"error": "No evaluation runs found for the specified criteria"})

    cache_key = summary_cache_key(request.project_id, evaluation.id, params["filter"], runs)
    cached = state.summary_cache.get(cache_key)
    if cached and cached[0] > time.time() and not params["force_refresh"]:
        return Response(200, cached[1])
    if request.project_id in state.summaries_running:
        detail = (
            "An evaluation summary is already being generated for this project. "
            "Try again when it finishes."
        )
        raise hog_error(429, "throttled_error", "throttled", detail)
    state.summaries_running.add(request.project_id)
    try:
        with state.released():  # the LLM call: other requests go on meanwhile
            time.sleep(request.state.switches.summary_delay)
    finally:
        state.summaries_running.discard(request.project_id)
    body = summarize(evaluation, runs, params["filter"])
    state.summary_cache[cache_key] = (time.time() + SUMMARY_CACHE_SECONDS, body)
    return Response(200, body)


def parse_summary_request(data: dict[str, Any]) -> dict[str, Any]:
    """EvaluationSummaryRequestSerializer; its errors go back raw, every field at once."""
    errors: dict[str, Any] = {}
    params: dict[str, Any] = {"filter": "all", "generation_ids": None, "force_refresh": False}
    evaluation_id = data.get("evaluation_id")
    if evaluation_id is None:
        errors["evaluation_id"] = [_null_or_required(data, "evaluation_id")]
    elif not is_uuid(evaluation_id):
        errors["evaluation_id"] = ["Must be a valid UUID."]
    else:
        params["evaluation_id"] = canonical_uuid(evaluation_id)
    if "filter" in data:
        if data["filter"] is None:
            errors["filter"] = ["This field may not be null."]
        elif data["filter"] not in SUMMARY_FILTERS:
            errors["filter"] = [f'"{data["filter"]}" is not a valid choice.']
        params["filter"] = data["filter"]
    if "generation_ids" in data:
        ids, problem = _uuid_list(data["generation_ids"])
        if problem:
            errors["generation_ids"] = problem
        params["generation_ids"] = ids
    if "force_refresh" in data:
        if data["force_refresh"] not in (True, False, "true", "false", "True", "False", 0, 1):
            errors["force_refresh"] = ["Must be a valid boolean."]
        params["force_refresh"] = data["force_refresh"] in (True, "true", "True", 1)
    if errors:
        raise raw_error(400, errors)
    return params


def _null_or_required(data: dict[str, Any], name: str) -> str:
    return "This field may not be null." if name in data else "This field is required."


def _uuid_list(value: Any) -> tuple[list[str], Any]:
    """(normalised ids, DRF's error for the field or None)."""
    if value is None:
        return [], ["This field may not be null."]
    if not isinstance(value, list):
        return [], [f'Expected a list of items but got type "{type(value).__name__}".']
    child_errors = {
        index: ["Must be a valid UUID."] for index, item in enumerate(value) if not is_uuid(item)
    }
    if child_errors:
        return [], child_errors
    if len(value) > SUMMARY_MAX_RUNS:
        return [], [f"Ensure this field has no more than {SUMMARY_MAX_RUNS} elements."]
    return [str(canonical_uuid(item)) for item in value], None


def matching_runs(
    evaluation: Evaluation, filter_type: str, generation_ids: list[str] | None
) -> list[EvaluationRun]:
    """The most recent runs PostHog would read from ClickHouse, at most 250.

    PostHog reads `$ai_evaluation_result` and `$ai_evaluation_applicable`: runs that emit
    neither (sentiment, scores, categories) match only `all`, where they count as N/A.
    """
    wanted = set(generation_ids or ())
    matches = {
        "all": lambda run: True,
        "pass": lambda run: run.result is True,
        "fail": lambda run: run.result is False,
        "na": lambda run: run.not_applicable,
    }[filter_type]
    runs = [
        run
        for run in evaluation.runs
        if matches(run) and (not wanted or run.generation_id in wanted)
    ]
    return runs[:SUMMARY_MAX_RUNS]


def summary_cache_key(project_id: int, evaluation_id: str, filter_type: str, runs: list) -> str:
    ids = ",".join(sorted(run.generation_id for run in runs))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:12]
    return f"llm_eval_summary:{project_id}:{evaluation_id}:{filter_type}:{digest}"


def summarize(evaluation: Evaluation, runs: list[EvaluationRun], filter_type: str) -> dict:
    """What the summarising LLM would say, derived from the runs' reasoning patterns."""
    counts = Counter(run.outcome for run in runs)
    patterns = {
        outcome: _patterns(evaluation, [run for run in runs if run.outcome == outcome])
        for outcome in ("pass", "fail", "na")
    }
    return {
        "overall_assessment": _assessment(evaluation, runs, counts, patterns, filter_type),
        "pass_patterns": patterns["pass"],
        "fail_patterns": patterns["fail"],
        "na_patterns": patterns["na"],
        "recommendations": _recommendations(evaluation, counts, patterns["fail"]),
        "statistics": {
            "total_analyzed": len(runs),
            "pass_count": counts["pass"],
            "fail_count": counts["fail"],
            "na_count": counts["na"],
        },
    }


def _patterns(evaluation: Evaluation, runs: list[EvaluationRun]) -> list[dict]:
    groups: dict[str, list[EvaluationRun]] = {}
    for run in runs:
        groups.setdefault(run.pattern, []).append(run)
    patterns = []
    for title, group in sorted(groups.items(), key=lambda item: -len(item[1])):
        share = len(group) / len(runs)
        description = evaluation.patterns[title].description
        patterns.append({
            "title": title,
            "description": f"{description} Seen in {len(group)} of {len(runs)} runs.",
            "frequency": "common" if share >= 0.4 else "occasional" if share >= 0.15 else "rare",
            "example_reasoning": group[0].reasoning,
            "example_generation_ids": [run.generation_id for run in group[:3]],
        })  # fmt: skip
    return patterns


def _assessment(
    evaluation: Evaluation, runs: list, counts: Counter, patterns: dict, filter_type: str
) -> str:
    scope = {"all": "", "pass": "passing ", "fail": "failing ", "na": "N/A "}[filter_type]
    text = (
        f"Across the {len(runs)} most recent {scope}runs of “{evaluation.name}”, "
        f"{counts['pass']} passed, {counts['fail']} failed and {counts['na']} were not applicable."
    )
    if patterns["fail"]:
        top = patterns["fail"][0]
        return f"{text} The most frequent failure is “{top['title']}” ({top['frequency']})."
    if patterns["pass"]:
        return f"{text} Passing runs are mostly “{patterns['pass'][0]['title']}”."
    return f"{text} The judge mostly found these generations out of scope."


def _recommendations(evaluation: Evaluation, counts: Counter, fail_patterns: list) -> list[str]:
    tips = [evaluation.patterns[pattern["title"]].recommendation for pattern in fail_patterns]
    if counts["na"] > 0.1 * counts.total():
        tips.append("Narrow the evaluation's conditions so it skips generations it cannot judge.")
    return tips or [
        "No failures in this sample: keep the prompt and re-check after the next release."
    ]


_EVALUATION = r"evaluations/(?P<id>[^/]+)"

ROUTES = [
    Route("GET", r"evaluations", list_evaluations, "evaluation:read"),
    Route("GET", _EVALUATION, retrieve_evaluation, "evaluation:read"),
    Route("PATCH", _EVALUATION, update_evaluation, "evaluation:write"),
    Route("POST", r"llm_analytics/evaluation_summary", evaluation_summary, "llm_analytics:write"),
]
