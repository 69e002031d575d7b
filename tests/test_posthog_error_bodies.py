"""Every error body shape PostHog answers with (docs/posthog-contract.md §1.4) normalises to the
same attributes.

These feed `error_from_response` directly with bytes, because some shapes (nested DRF errors,
a JSON list, a date in Retry-After at a fixed "now") are easier to state exactly here; the same
shapes are exercised over HTTP against the sandbox in test_posthog_client_errors.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adminui.posthog.classify import error_from_response
from adminui.posthog.error_bodies import parse_error_body, parse_retry_after
from adminui.posthog.errors import (
    PostHogAuthError,
    PostHogError,
    PostHogEvaluationEditorRequired,
    PostHogNotFound,
    PostHogPermissionError,
    PostHogPersonalKeyRefused,
    PostHogProjectAdminRequired,
    PostHogRateLimited,
    PostHogScopeError,
    PostHogServerError,
    PostHogValidationError,
)


def hog(detail, attr=None, code="invalid_input", type_="validation_error"):
    return json.dumps({"type": type_, "code": code, "detail": detail, "attr": attr})


def error(status, body, headers=None):
    content = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return error_from_response(status, headers or {}, content, method="GET", path="/api/x/")


def test_it_reads_attr_and_detail_from_an_exceptions_hog_body():
    body = parse_error_body(hog("This field is required.", "name", "required"))
    assert (body.type, body.code, body.attr) == ("validation_error", "required", "name")
    assert body.field_errors == {"name": ["This field is required."]}


def test_it_reads_a_bare_detail_body_without_field_errors():
    body = parse_error_body(b'{"detail": "Replacement key not found"}')
    assert body.detail == "Replacement key not found"
    assert body.attr is None and body.field_errors == {}


def test_it_joins_error_and_detail_when_both_are_given():
    body = parse_error_body(
        b'{"error": "Failed to generate summary", '
        b'"detail": "An error occurred while generating the summary"}'
    )
    assert body.detail == (
        "Failed to generate summary: An error occurred while generating the summary"
    )


def test_it_flattens_a_raw_drf_errors_dict_with_nested_and_non_field_errors():
    body = parse_error_body(
        json.dumps(
            {
                "non_field_errors": ["Pick one."],
                "config": {"state": ["This field is required."]},
                "generation_ids": {"0": ["Must be a valid UUID."]},
                "items": [{}, {"name": ["Too long."]}],
            }
        )
    )
    assert body.field_errors == {
        "config__state": ["This field is required."],
        "generation_ids__0": ["Must be a valid UUID."],
        "items__1__name": ["Too long."],
    }
    assert body.detail == "Pick one."
    assert body.attr == "config__state"


def test_it_takes_the_first_field_message_as_detail_when_there_is_no_non_field_error():
    body = parse_error_body(b'{"filter": ["\\"x\\" is not a valid choice."]}')
    assert body.attr == "filter"
    assert body.detail == '"x" is not a valid choice.'


def test_it_reads_a_json_list_of_messages():
    assert parse_error_body(b'["Something broke."]').detail == "Something broke."


@pytest.mark.parametrize("content", [b"<html>502 Bad Gateway</html>", b"", None, b"   "])
def test_it_marks_non_json_and_empty_bodies(content):
    assert parse_error_body(content).is_json is False


def test_a_validation_error_names_the_field_in_its_message():
    err = error(400, hog("Invalid OpenAI API key format.", "api_key"))
    assert isinstance(err, PostHogValidationError)
    assert err.message == "PostHog rejected the value of “api_key”: Invalid OpenAI API key format."
    assert err.field_errors == {"api_key": ["Invalid OpenAI API key format."]}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, PostHogAuthError),
        (404, PostHogNotFound),
        (400, PostHogValidationError),
        (429, PostHogRateLimited),
        (500, PostHogServerError),
        (503, PostHogServerError),
        (405, PostHogError),
    ],
)
def test_it_picks_the_class_from_the_status(status, cls):
    assert type(error(status, {"detail": "x"})) is cls


@pytest.mark.parametrize(
    "detail",
    [
        "This action does not support personal API key access",
        "This action does not support Personal API Key access",
    ],
)
def test_it_recognises_personal_key_refusal_in_either_capitalisation(detail):
    err = error(403, hog(detail, code="permission_denied", type_="authentication_error"))
    assert isinstance(err, PostHogPersonalKeyRefused)
    assert "personal API key" in err.message


def test_it_parses_the_missing_scope_from_the_detail():
    err = error(403, hog("API key missing required scope 'evaluation:write'"))
    assert isinstance(err, PostHogScopeError)
    assert isinstance(err, PostHogPermissionError)
    assert err.scope == "evaluation:write"
    assert "'evaluation:write'" in err.message


def test_a_plain_403_keeps_posthogs_detail():
    err = error(403, hog("You do not have admin access to this resource."))
    assert type(err) is PostHogPermissionError
    assert (
        err.message == "PostHog refused the request: You do not have admin access to this resource."
    )


def test_posthogs_project_admin_and_evaluation_editor_refusals_have_types_of_their_own():
    not_admin = error(403, hog("You don't have sufficient permissions in the project."))
    not_editor = error(403, hog("You do not have editor access to evaluations."))
    not_editor_of_all = error(
        403, hog("You do not have editor access to all affected evaluations.")
    )

    assert type(not_admin) is PostHogProjectAdminRequired
    assert "only project admins" in not_admin.message
    assert type(not_editor) is type(not_editor_of_all) is PostHogEvaluationEditorRequired
    assert isinstance(not_editor, PostHogPermissionError)


def test_a_non_json_error_page_says_it_was_not_json():
    err = error(502, "<html><body>Bad gateway</body></html>")
    assert isinstance(err, PostHogServerError)
    assert err.message == "PostHog (or a proxy in front of it) answered with a non-JSON 502 page."


def test_retry_after_is_read_from_seconds_and_from_an_http_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_429_without_header_takes_the_wait_from_drfs_throttle_text():
    throttled = hog("Request was throttled. Expected available in 1 second.", code="throttled")
    err = error(429, throttled)
    assert err.retry_after == 1
    assert err.message == "PostHog is rate limiting the portal. Try again in 1 second."


def test_a_429_with_its_own_explanation_keeps_it():
    detail = "An evaluation summary is already being generated for this project."
    err = error(429, hog(detail, code="throttled", type_="throttled_error"))
    assert err.retry_after is None
    assert err.message == detail


def test_a_404_with_a_generic_detail_gets_a_friendlier_message():
    assert error(404, hog("Not found.")).message == PostHogNotFound.default_message
    assert error(404, {"error": "Evaluation 123 not found"}).message == "Evaluation 123 not found"


def test_repr_shows_the_facts_but_not_the_body():
    err = error(400, hog("Bad.", "name"))
    assert repr(err) == (
        "PostHogValidationError('PostHog rejected the value of “name”: Bad.', status=400, "
        "code='invalid_input', attr='name', method='GET', path='/api/x/')"
    )
