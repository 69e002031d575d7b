"""Every way a PostHog call can fail becomes the right PostHogError, over real loopback HTTP."""

from __future__ import annotations

import uuid
from email.utils import formatdate

import pytest
import requests
import urllib3

from adminui.posthog import (
    PostHogAuthError,
    PostHogBadResponse,
    PostHogClient,
    PostHogError,
    PostHogNotFound,
    PostHogPermissionError,
    PostHogPersonalKeyRefused,
    PostHogRateLimited,
    PostHogScopeError,
    PostHogServerError,
    PostHogTimeout,
    PostHogUnreachable,
    PostHogValidationError,
)
from adminui.posthog.errors import PostHogAIDataNotApproved
from adminui.sandbox import demo
from tests.conftest import closed_port

SLEEPS: list[float] = []


def make_client(host: str, key: str = demo.DEMO_PERSONAL_API_KEY, **options) -> PostHogClient:
    options.setdefault("sleep", SLEEPS.append)
    return PostHogClient(
        host=host, personal_api_key=key, project_id=demo.DEMO_PROJECT_ID, **options
    )


@pytest.fixture
def client(sandbox):
    return make_client(sandbox.url)


def raised(call) -> PostHogError:
    with pytest.raises(PostHogError) as caught:
        call()
    assert not isinstance(caught.value, requests.RequestException)
    return caught.value


# 401 ----------------------------------------------------------------------------------------


def test_an_unknown_personal_key_is_an_auth_error(sandbox):
    error = raised(make_client(sandbox.url, "phx_revoked_key_1234567890").list_provider_keys)
    assert isinstance(error, PostHogAuthError)
    assert error.status == 401
    assert error.code == "authentication_failed"
    assert error.message.startswith("PostHog rejected the portal's personal API key")


def test_missing_credentials_are_an_auth_error_too(client, sandbox):
    body = {
        "type": "authentication_error",
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "attr": None,
    }
    sandbox.faults.add("provider_keys", status=401, body=body)
    error = raised(client.list_provider_keys)
    assert isinstance(error, PostHogAuthError)
    assert error.code == "not_authenticated"
    assert "Authentication credentials were not provided" in error.message


# 403 ----------------------------------------------------------------------------------------


def test_a_missing_scope_names_the_scope(sandbox):
    key = "phx_read_only_" + uuid.uuid4().hex
    sandbox.add_api_key(key, ["llm_provider_key:read"])
    limited = make_client(sandbox.url, key)
    error = raised(
        lambda: limited.create_provider_key(provider="openai", name="n", api_key="sk-" + "a" * 40)
    )
    assert isinstance(error, PostHogScopeError)
    assert error.scope == "llm_provider_key:write"
    assert "'llm_provider_key:write'" in error.message
    assert limited.list_provider_keys()  # reading is still allowed


def test_a_session_only_action_is_refused_to_the_personal_key(client, sandbox):
    error = raised(lambda: client.authorize_integration(kind="slack", next_path="/settings"))
    assert isinstance(error, PostHogPersonalKeyRefused)
    assert isinstance(error, PostHogPermissionError)
    assert "personal API key" in error.message


def test_a_key_restricted_to_other_projects_is_a_permission_error(sandbox):
    key = "phx_other_project_" + uuid.uuid4().hex
    sandbox.add_api_key(key, ["*"], project_ids=[1])
    error = raised(make_client(sandbox.url, key).list_provider_keys)
    assert type(error) is PostHogPermissionError
    assert error.status == 403
    assert "does not have access to the requested project" in error.message


def test_other_403s_keep_posthogs_detail(client, sandbox):
    sandbox.switch(ai_data_processing_approved=False)
    error = raised(lambda: client.summarize_evaluation(evaluation_id=demo.EVAL_TONE))
    assert type(error) is PostHogAIDataNotApproved  # a PostHogPermissionError, named
    assert isinstance(error, PostHogPermissionError)
    assert "AI data processing must be approved" in error.message


# 404 ----------------------------------------------------------------------------------------


def test_an_unknown_provider_key_is_not_found(client):
    error = raised(lambda: client.get_provider_key(uuid.uuid4()))
    assert isinstance(error, PostHogNotFound)
    assert error.status == 404
    assert error.code == "not_found"


def test_an_unknown_evaluation_to_summarise_is_not_found_with_posthogs_text(client):
    missing = uuid.uuid4()
    error = raised(lambda: client.summarize_evaluation(evaluation_id=missing))
    assert isinstance(error, PostHogNotFound)
    assert str(missing) in error.message


def test_a_malformed_id_is_not_found_without_asking_posthog(client, sandbox):
    before = len(sandbox.requests)
    for bad in ("../../../users/@me", "1; DROP", ""):
        error = raised(lambda bad=bad: client.get_provider_key(bad))
        assert isinstance(error, PostHogNotFound)
        assert bad not in error.message or not bad
    assert isinstance(raised(lambda: client.get_integration("2101/../1")), PostHogNotFound)
    assert isinstance(raised(lambda: client.get_integration(True)), PostHogNotFound)
    assert len(sandbox.requests) == before


# 400 ----------------------------------------------------------------------------------------


def test_an_exceptions_hog_validation_error_fills_attr_and_field_errors(client):
    error = raised(
        lambda: client.create_provider_key(provider="openai", name="Bad", api_key="not-a-key-123")
    )
    assert isinstance(error, PostHogValidationError)
    assert error.attr == "api_key"
    assert error.field_errors["api_key"][0].startswith("Invalid OpenAI API key format")
    assert "api_key" in error.message


def test_a_missing_required_field_is_reported_on_that_field(client):
    error = raised(
        lambda: client.create_provider_key(provider="openai", name="", api_key="sk-" + "b" * 40)
    )
    assert isinstance(error, PostHogValidationError)
    assert error.attr == "name"
    assert "name" in error.field_errors


def test_a_bare_detail_validation_error_has_no_field(client):
    error = raised(
        lambda: client.delete_provider_key(
            demo.KEY_CLAUDE, replacement_key_id=demo.KEY_PRODUCTION_OPENAI
        )
    )
    assert isinstance(error, PostHogValidationError)
    assert error.attr is None and error.field_errors == {}
    assert "same provider" in error.message


def test_activating_an_unhealthy_key_is_a_validation_error_with_posthogs_words(client):
    error = raised(lambda: client.set_active_key(demo.KEY_OLD_ANTHROPIC))
    assert isinstance(error, PostHogValidationError)
    assert "Please validate the key first" in error.message


def test_a_raw_drf_errors_dict_fills_field_errors(client):
    too_many = [str(uuid.uuid4()) for _ in range(251)]
    error = raised(
        lambda: client.summarize_evaluation(evaluation_id=demo.EVAL_TONE, generation_ids=too_many)
    )
    assert isinstance(error, PostHogValidationError)
    assert error.attr == "generation_ids"
    assert error.field_errors == {
        "generation_ids": ["Ensure this field has no more than 250 elements."]
    }


def test_a_nested_drf_dict_with_non_field_errors_is_flattened(client, sandbox):
    body = {"non_field_errors": ["Nope."], "config": {"region": ["Not a valid choice."]}}
    sandbox.faults.add("provider_keys", method="POST", status=400, body=body)
    error = raised(
        lambda: client.create_provider_key(provider="openai", name="x", api_key="sk-" + "c" * 40)
    )
    assert error.field_errors == {"config__region": ["Not a valid choice."]}
    assert error.detail == "Nope."
    assert error.message == "PostHog rejected the value of “config__region”: Nope."


def test_an_error_key_body_is_a_validation_error_with_that_text(client, sandbox):
    no_runs = [str(uuid.uuid4())]
    error = raised(
        lambda: client.summarize_evaluation(evaluation_id=demo.EVAL_TONE, generation_ids=no_runs)
    )
    assert isinstance(error, PostHogValidationError)
    assert error.message == (
        "PostHog rejected the request: No evaluation runs found for the specified criteria"
    )


# 429 ----------------------------------------------------------------------------------------


def test_a_429_with_retry_after_seconds_carries_them(client, sandbox):
    sandbox.faults.add("provider_keys", method="POST", status=429, headers={"Retry-After": "7"})
    error = raised(
        lambda: client.create_provider_key(provider="openai", name="x", api_key="sk-" + "d" * 40)
    )
    assert isinstance(error, PostHogRateLimited)
    assert error.retry_after == 7
    assert error.message == "PostHog is rate limiting the portal. Try again in 7 seconds."


def test_a_429_with_an_http_date_retry_after_is_converted_to_seconds(client, sandbox):
    later = formatdate(timeval=__import__("time").time() + 40, usegmt=True)
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": later})
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogRateLimited)
    assert 38 <= error.retry_after <= 41


def test_a_429_without_header_takes_the_wait_from_the_detail(client, sandbox):
    sandbox.faults.add("evaluation_config", status=429)  # DRF's "Expected available in 60 seconds."
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogRateLimited)
    assert error.retry_after == 60


def test_githubs_rate_limit_keeps_its_explanation(client, sandbox):
    sandbox.faults.github_rate_limit(demo.GITHUB_INTEGRATION_ID, retry_after=30)
    error = raised(lambda: client.list_github_repos(demo.GITHUB_INTEGRATION_ID))
    assert isinstance(error, PostHogRateLimited)
    assert error.retry_after == 30
    assert error.code == "rate_limited"
    assert error.message.startswith("GitHub API rate limit exceeded.")


# 5xx and bodies that are not JSON ------------------------------------------------------------


def test_a_500_is_a_server_error(client, sandbox):
    sandbox.faults.add("provider_keys", status=500, times=None)
    error = raised(client.list_provider_keys)
    assert isinstance(error, PostHogServerError)
    assert error.status == 500
    assert error.message == "PostHog had an internal error (HTTP 500). Try again later."


def test_the_summary_failure_body_is_a_server_error_with_its_explanation(client, sandbox):
    body = {
        "error": "Failed to generate summary",
        "detail": "An error occurred while generating the summary",
    }
    sandbox.faults.add("evaluation_summary", status=500, body=body)
    error = raised(lambda: client.summarize_evaluation(evaluation_id=demo.EVAL_TONE))
    assert isinstance(error, PostHogServerError)
    assert "Failed to generate summary" in error.message


def test_an_html_error_page_says_posthog_or_a_proxy_answered_non_json(client, sandbox):
    sandbox.faults.add("provider_keys", method="POST", status=502, non_json=True)
    error = raised(
        lambda: client.create_provider_key(provider="openai", name="x", api_key="sk-" + "e" * 40)
    )
    assert isinstance(error, PostHogServerError)
    assert error.message == "PostHog (or a proxy in front of it) answered with a non-JSON 502 page."


def test_a_successful_status_with_a_non_json_body_is_a_bad_response(client, sandbox):
    sandbox.faults.add("evaluation_config", status=200, non_json=True)
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogBadResponse)
    assert "non-JSON 200 page" in error.message


def test_a_json_body_of_the_wrong_shape_is_a_bad_response(client, sandbox):
    sandbox.faults.add("provider_keys", status=200, body={"unexpected": True})
    assert isinstance(raised(client.list_provider_keys), PostHogBadResponse)
    sandbox.faults.add("evaluation_config", status=200, body=[1, 2])
    assert isinstance(raised(client.get_evaluation_config), PostHogBadResponse)


def test_an_unexpected_redirect_is_a_bad_response_not_followed(client, sandbox):
    sandbox.faults.add(
        "evaluation_config", status=301, body="", headers={"Location": "https://elsewhere.test/"}
    )
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogBadResponse)
    assert "redirect" in error.message


# The network ----------------------------------------------------------------------------------


def test_a_closed_port_is_unreachable():
    client = make_client(f"http://127.0.0.1:{closed_port()}")
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogUnreachable)
    assert "connection was refused" in error.message
    assert isinstance(error.__cause__, requests.ConnectionError)


def test_an_unresolvable_host_is_unreachable():
    error = raised(make_client("http://posthog.invalid", retries=0).get_evaluation_config)
    assert isinstance(error, PostHogUnreachable)
    assert "posthog.invalid" in error.message


def test_a_slow_answer_is_a_timeout(sandbox):
    sandbox.faults.add("evaluation_config", latency=0.5)
    client = make_client(sandbox.url, read_timeout=0.1)
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogTimeout)
    assert error.message.endswith("did not answer within 0.1 seconds.")


def test_a_dropped_connection_is_unreachable(client, sandbox):
    sandbox.faults.add("evaluation_config", drop=True, times=None)
    error = raised(client.get_evaluation_config)
    assert isinstance(error, PostHogUnreachable)
    assert "dropped" in error.message


def test_a_dropped_write_says_the_change_may_have_been_saved(client, sandbox):
    sandbox.faults.add("set_active_key", drop=True)
    error = raised(lambda: client.set_active_key(demo.KEY_STAGING_OPENAI))
    assert isinstance(error, PostHogUnreachable)
    assert "may or may not have been saved" in error.message


# Failures the sandbox cannot stage, raised by an injected session -----------------------------


class FailingSession(requests.Session):
    """Raises ``error`` for every request, counting the attempts."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
        self.attempts = 0

    def request(self, method, url, **kwargs):
        self.attempts += 1
        raise self.error


@pytest.mark.parametrize(
    ("raised_error", "cls", "words", "attempts"),
    [
        (requests.ConnectTimeout("slow"), PostHogTimeout, "did not accept a connection", 3),
        (requests.exceptions.SSLError("bad cert"), PostHogUnreachable, "TLS/certificate", 1),
        (requests.exceptions.ChunkedEncodingError("cut"), PostHogUnreachable, "dropped", 3),
        (requests.exceptions.InvalidURL("no"), PostHogUnreachable, "check POSTHOG_HOST", 1),
        (urllib3.exceptions.ProtocolError("raw urllib3"), PostHogUnreachable, "dropped", 3),
        (requests.ReadTimeout("slow"), PostHogTimeout, "did not answer within 15", 1),
    ],
)
def test_transport_failures_become_typed_errors(raised_error, cls, words, attempts):
    session = FailingSession(raised_error)
    client = make_client("https://posthog.example", session=session)
    error = raised(client.get_evaluation_config)
    assert type(error) is cls
    assert words in error.message
    assert error.__cause__ is raised_error
    assert session.attempts == attempts  # connection-level failures of a GET are retried


def test_a_host_with_credentials_in_it_is_refused_without_echoing_them():
    with pytest.raises(ValueError) as caught:
        make_client("https://user:hunter2@posthog.example")
    assert "hunter2" not in str(caught.value)
