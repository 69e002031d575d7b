"""Retries, timeouts, headers, pagination and deprecation: how the client behaves on the wire."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
import requests

from adminui import __version__
from adminui.posthog import (
    PostHogBadResponse,
    PostHogClient,
    PostHogError,
    PostHogRateLimited,
    PostHogServerError,
    PostHogTimeout,
    PostHogUnreachable,
)
from adminui.posthog.retries import background, web_request_budget
from adminui.sandbox import demo


class RecordingSession(requests.Session):
    """A real session that also remembers the keyword arguments of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict] = []

    def request(self, method, url, **kwargs):
        self.calls.append({"method": method, "url": url, **kwargs})
        return super().request(method, url, **kwargs)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(sandbox, sleeps, **options) -> PostHogClient:
    return PostHogClient(
        host=sandbox.url,
        personal_api_key=demo.DEMO_PERSONAL_API_KEY,
        project_id=demo.DEMO_PROJECT_ID,
        sleep=sleeps.append,
        **options,
    )


@pytest.fixture
def client(sandbox, sleeps):
    return make_client(sandbox, sleeps)


# Retries ---------------------------------------------------------------------------------------


def test_a_get_is_retried_after_two_503s_and_then_succeeds(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=503, times=2)
    config = client.get_evaluation_config()
    assert config.active_provider_key.id == demo.ACTIVE_KEY_ID
    assert len(sandbox.received("evaluation_config")) == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff from the base


@pytest.mark.parametrize("status", [429, 502, 504])
def test_each_transient_status_is_retried_for_gets(client, sandbox, sleeps, status):
    sandbox.faults.add("evaluation_config", status=status, body={"detail": "busy"}, times=1)
    client.get_evaluation_config()
    assert len(sandbox.received("evaluation_config")) == 2


def test_retries_are_bounded(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=502, times=None)
    with pytest.raises(PostHogServerError):
        client.get_evaluation_config()
    assert len(sandbox.received("evaluation_config")) == 3
    assert len(sleeps) == 2


def test_other_errors_are_not_retried(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=500, times=None)
    with pytest.raises(PostHogServerError):
        client.get_evaluation_config()
    assert len(sandbox.received("evaluation_config")) == 1
    assert sleeps == []


def test_a_write_is_never_retried(client, sandbox, sleeps):
    sandbox.faults.add("set_active_key", method="POST", status=503, times=None)
    with pytest.raises(PostHogServerError):
        client.set_active_key(demo.KEY_STAGING_OPENAI)
    assert len(sandbox.received("set_active_key")) == 1
    assert sleeps == []


def test_a_dropped_write_is_not_retried(client, sandbox, sleeps):
    sandbox.faults.add("provider_keys", method="POST", drop=True, times=None)
    with pytest.raises(PostHogUnreachable):
        client.create_provider_key(provider="openai", name="x", api_key="sk-" + "f" * 40)
    assert len(sandbox.received("provider_keys", "POST")) == 1


def test_a_dropped_get_is_retried(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", drop=True, times=1)
    client.get_evaluation_config()
    assert len(sandbox.received("evaluation_config")) == 2
    assert sleeps == [0.5]


def test_a_read_timeout_is_not_retried(sandbox, sleeps):
    client = make_client(sandbox, sleeps, read_timeout=0.1)
    sandbox.faults.add("evaluation_config", latency=0.4, times=None)
    with pytest.raises(PostHogTimeout):
        client.get_evaluation_config()
    assert sleeps == []


def test_a_retry_after_of_a_second_is_honoured_in_a_web_request(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": "1"}, times=1)
    client.get_evaluation_config()
    assert sleeps == [1.0]


def test_a_web_request_does_not_wait_a_longer_retry_after(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": "10"}, times=None)
    with pytest.raises(PostHogRateLimited) as caught:
        client.get_evaluation_config()
    assert caught.value.retry_after == 10
    assert len(sandbox.received("evaluation_config")) == 1
    assert sleeps == []


def test_a_web_request_waits_about_a_second_in_all_across_its_retries(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": "1"}, times=None)
    with pytest.raises(PostHogRateLimited):
        client.get_evaluation_config()
    assert sleeps == [1.0]  # a second wait of 1 s would exceed the web's 1.5 s
    assert len(sandbox.received("evaluation_config")) == 2


def test_background_work_waits_as_long_as_posthog_asks(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": "10"}, times=2)
    with background():
        client.get_evaluation_config()
    assert sleeps == [10.0, 10.0]


def test_background_work_honours_a_retry_after_date(client, sandbox, sleeps):
    soon = formatdate(timeval=time.time() + 3, usegmt=True)
    sandbox.faults.add("evaluation_config", status=503, headers={"Retry-After": soon}, times=1)
    with background():
        client.get_evaluation_config()
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 4


def test_background_work_does_not_wait_for_a_daily_limit(client, sandbox, sleeps):
    sandbox.faults.add("evaluation_config", status=429, headers={"Retry-After": "3600"})
    with background(), pytest.raises(PostHogRateLimited) as caught:
        client.get_evaluation_config()
    assert caught.value.retry_after == 3600 and sleeps == []


def test_a_web_requests_calls_end_within_its_budget(sandbox, sleeps):
    client = make_client(sandbox, sleeps, read_timeout=15)
    sandbox.faults.add("evaluation_config", latency=3, times=None)
    started = time.monotonic()
    with web_request_budget(1.5), pytest.raises(PostHogTimeout) as caught:
        client.get_evaluation_config()
    assert time.monotonic() - started < 2.5
    assert "this page's time limit (1.5 seconds in all)" in caught.value.message


def test_no_call_starts_once_the_budget_is_spent(client, sandbox):
    with web_request_budget(0.1), pytest.raises(PostHogTimeout, match="stopped waiting"):
        client.get_evaluation_config()
    assert sandbox.received("evaluation_config") == []


def test_the_retry_budget_and_backoff_are_configurable(sandbox, sleeps):
    client = make_client(sandbox, sleeps, retries=0)
    sandbox.faults.add("evaluation_config", status=503, times=1)
    with pytest.raises(PostHogServerError):
        client.get_evaluation_config()
    client = make_client(sandbox, sleeps, retries=3, backoff=0.01)
    sandbox.faults.add("evaluation_config", status=503, times=3)
    client.get_evaluation_config()
    assert sleeps == [0.01, 0.02, 0.04]


# What goes on the wire -------------------------------------------------------------------------


def test_every_request_carries_the_key_accept_and_user_agent(client, sandbox):
    client.list_provider_keys()
    client.set_active_key(demo.KEY_STAGING_OPENAI)
    for _method, _path, headers, _body in sandbox.requests:
        assert headers["Authorization"] == f"Bearer {demo.DEMO_PERSONAL_API_KEY}"
        assert headers["Accept"] == "application/json"
        assert headers["User-Agent"] == f"adminui/{__version__} (+requests)"


def test_the_session_ignores_netrc_proxies_and_cookies(client, sandbox, monkeypatch, tmp_path):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login user password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    sandbox.faults.add("evaluation_config", status=200, body={}, headers={"Set-Cookie": "a=b"})
    client.get_evaluation_config()
    client.get_evaluation_config()
    assert client._session.trust_env is False
    assert "Cookie" not in sandbox.requests[-1][2]
    assert sandbox.requests[-1][2]["Authorization"].startswith("Bearer phx_")


def test_calls_that_make_posthog_call_an_llm_get_the_long_read_timeout(sandbox, sleeps):
    session = RecordingSession()
    client = make_client(
        sandbox, sleeps, session=session, connect_timeout=1, read_timeout=5, llm_read_timeout=60
    )
    key = client.create_provider_key(provider="openai", name="t", api_key="sk-" + "g" * 40)
    client.update_provider_key(key.id, {"api_key": "sk-" + "h" * 40})
    client.validate_provider_key(key.id)
    client.check_provider_key(provider="openai", api_key="sk-" + "i" * 40)
    client.list_models(key_id=key.id)
    client.summarize_evaluation(evaluation_id=demo.EVAL_TONE)
    assert [c["timeout"] for c in session.calls] == [(1, 60)] * 6

    session.calls.clear()
    client.update_provider_key(key.id, {"name": "renamed", "api_key": ""})
    client.list_models(provider="openai")
    client.get_provider_key(key.id)
    client.delete_provider_key(key.id)
    assert [c["timeout"] for c in session.calls] == [(1, 5)] * 4
    assert all(c["allow_redirects"] is False for c in session.calls)


def test_a_patch_sends_only_the_given_fields(client, sandbox):
    client.update_provider_key(demo.KEY_STAGING_OPENAI, {"name": "Renamed", "api_key": None})
    method, path, _headers, body = sandbox.requests[-1]
    assert method == "PATCH"
    assert path.endswith(f"/llm_analytics/provider_keys/{demo.KEY_STAGING_OPENAI}/")
    assert __import__("json").loads(body) == {"name": "Renamed"}


def test_a_provider_key_cannot_be_patched_with_unknown_fields(client):
    with pytest.raises(ValueError):
        client.update_provider_key(demo.KEY_STAGING_OPENAI, {"provider": "anthropic"})


def test_token_like_query_parameters_are_never_sent(client, sandbox):
    client._request("GET", "llm_analytics/models/", params={"token": "phc_x", "provider": "openai"})
    assert sandbox.requests[-1][1].endswith("/llm_analytics/models/?provider=openai")


@pytest.mark.parametrize("prefix", ["environments", "projects"])
def test_paths_stay_under_the_configured_prefix(sandbox, sleeps, prefix):
    client = make_client(sandbox, sleeps, api_prefix=prefix)
    client.get_provider_key(demo.KEY_CLAUDE)
    assert sandbox.requests[-1][1] == (
        f"/api/{prefix}/{demo.DEMO_PROJECT_ID}/llm_analytics/provider_keys/{demo.KEY_CLAUDE}/"
    )


# Pagination ------------------------------------------------------------------------------------


def test_it_lists_every_provider_key_across_small_pages(sandbox, sleeps):
    client = make_client(sandbox, sleeps, page_size=4)
    keys = client.list_provider_keys()
    assert len(keys) == 10
    assert len({k.id for k in keys}) == 10
    assert len(sandbox.received("provider_keys")) == 3
    created = [k.created_at for k in keys]
    assert created == sorted(created, reverse=True)


def test_a_next_link_to_another_host_is_refused(client, sandbox):
    body = {
        "count": 2,
        "next": "https://attacker.example/api/projects/4242/llm_analytics/provider_keys/?offset=1",
        "previous": None,
        "results": [],
    }
    sandbox.faults.add("provider_keys", status=200, body=body)
    with pytest.raises(PostHogBadResponse, match="another server"):
        client.list_provider_keys()
    assert len(sandbox.received("provider_keys")) == 1


def test_a_next_link_on_another_port_is_refused(client, sandbox):
    other = sandbox.url.rsplit(":", 1)[0] + ":1"
    body = {"count": 2, "next": f"{other}/api/projects/4242/x/?offset=1", "results": []}
    sandbox.faults.add("provider_keys", status=200, body=body)
    with pytest.raises(PostHogBadResponse):
        client.list_provider_keys()


@pytest.mark.parametrize("escape", ["..", "%2e%2e", "."])
def test_a_next_link_that_climbs_out_of_the_api_is_refused(client, sandbox, escape):
    body = {"count": 2, "next": f"{sandbox.url}/api/{escape}/_sandbox/faults", "results": []}
    sandbox.faults.add("provider_keys", status=200, body=body)
    with pytest.raises(PostHogBadResponse, match="outside PostHog's API"):
        client.list_provider_keys()


def test_pagination_stops_at_the_page_cap(sandbox, sleeps):
    client = make_client(sandbox, sleeps, page_size=1, max_pages=3)
    with pytest.raises(PostHogBadResponse, match="more than 3 pages"):
        client.list_provider_keys()


def test_a_next_link_pointing_back_to_itself_is_a_loop(client, sandbox):
    url = f"{sandbox.url}/api/environments/4242/llm_analytics/provider_keys/?limit=1&offset=1"
    sandbox.faults.add("provider_keys", status=200, body={"next": url, "results": []}, times=None)
    with pytest.raises(PostHogBadResponse, match="loop"):
        client.list_provider_keys()


def test_a_single_page_of_evaluations_knows_its_neighbours(client):
    page = client.list_evaluations(limit=2, offset=2)
    assert len(page.results) == 2
    assert page.count == 12
    assert (page.next_offset, page.previous_offset) == (4, 0)
    assert page.has_next and page.has_previous
    last = client.list_evaluations(limit=2, offset=10)
    assert last.has_next is False and last.next_offset is None


# Deprecation -----------------------------------------------------------------------------------


def test_the_environments_alias_records_a_deprecation_notice(client, sandbox):
    assert client.deprecation is None
    client.get_evaluation_config()
    notice = client.deprecation
    assert notice is not None
    assert notice.successor.startswith(f"{sandbox.url}/api/projects/4242/")
    first_seen = notice.first_seen
    client.list_provider_keys()
    assert client.deprecation.first_seen == first_seen


def test_sunset_dates_and_successors_are_parsed(client, sandbox):
    headers = {
        "Deprecation": "true",
        "Sunset": "Fri, 31 Jul 2026 00:00:00 GMT",
        "Link": '</api/projects/4242/llm_analytics/evaluation_config/>; rel="successor-version"',
    }
    sandbox.faults.add("evaluation_config", status=200, body={}, headers=headers)
    client.get_evaluation_config()
    assert client.deprecation.sunset.date().isoformat() == "2026-07-31"
    assert client.deprecation.successor == (
        f"{sandbox.url}/api/projects/4242/llm_analytics/evaluation_config/"
    )


def test_the_canonical_prefix_has_no_deprecation_notice(sandbox, sleeps):
    client = make_client(sandbox, sleeps, api_prefix="projects")
    client.get_evaluation_config()
    assert client.deprecation is None


def test_no_requests_exception_escapes_even_for_odd_failures(sandbox, sleeps):
    client = make_client(sandbox, sleeps)
    sandbox.faults.add("evaluation_config", drop=True, times=None)
    with pytest.raises(PostHogError) as caught:
        client.get_evaluation_config()
    assert not isinstance(caught.value, requests.RequestException)
    assert isinstance(caught.value.__cause__, requests.RequestException)
