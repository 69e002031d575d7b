"""PostHog's texts become error types once (adminui/posthog/classify.py); their words, one table."""

from __future__ import annotations

import json

import pytest

from adminui.posthog import errors as ph
from adminui.posthog.classify import error_from_response
from adminui.web.failures import LABELS, RETRYABLE_KINDS, WORDINGS, wording_for


def error(status: int, body: dict) -> ph.PostHogError:
    return error_from_response(status, {}, json.dumps(body), method="POST", path="/api/x/")


@pytest.mark.parametrize(
    ("status", "body", "cls", "parent"),
    [
        (
            429,
            {"detail": "An evaluation summary is already being generated for this project."},
            ph.PostHogSummaryInProgress,
            ph.PostHogRateLimited,
        ),
        (
            403,
            {"detail": "AI data processing must be approved by your organization"},
            ph.PostHogAIDataNotApproved,
            ph.PostHogPermissionError,
        ),
        (
            400,
            {"detail": "This integration's authentication token could not be refreshed."},
            ph.PostHogReconnectRequired,
            ph.PostHogValidationError,
        ),
        (
            400,
            {"detail": "channels endpoint is only supported for Slack integrations"},
            ph.PostHogWrongIntegrationKind,
            ph.PostHogValidationError,
        ),
        (
            400,
            {"error": "No evaluation runs found for the specified criteria"},
            ph.PostHogNoEvaluationRuns,
            ph.PostHogValidationError,
        ),
        (
            500,
            {"error": "Failed to generate summary", "detail": "An error occurred"},
            ph.PostHogSummaryFailed,
            ph.PostHogServerError,
        ),
    ],
)
def test_posthogs_texts_name_a_type_more_specific_than_its_status(status, body, cls, parent):
    err = error(status, body)
    assert type(err) is cls
    assert isinstance(err, parent)
    # The message stays the one its status gives (PostHog's text): only the type says more.
    assert err.detail in err.message


def test_stored_kinds_read_the_same_whichever_row_names_them():
    for kind in LABELS:
        rows = [wording for wording in WORDINGS.values() if wording.kind == kind]
        assert len({(row.label, row.retryable) for row in rows}) == 1, kind
    assert set(LABELS) == {
        "locked",
        "throttled",
        "not_approved",
        "scope",
        "forbidden",
        "auth",
        "not_found",
        "no_runs",
        "invalid",
        "failed",
        "server",
        "timeout",
        "unreachable",
        "error",
        "internal",
    }
    not_retryable = {"forbidden", "not_found", "no_runs", "invalid"}
    assert {kind for kind in LABELS if kind not in not_retryable} == RETRYABLE_KINDS


def test_a_type_without_a_row_reads_as_its_nearest_parent():
    class Unforeseen(ph.PostHogTimeout):
        pass

    assert wording_for(Unforeseen()) is WORDINGS[ph.PostHogTimeout]
    assert wording_for(RuntimeError("boom")).kind == "internal"
