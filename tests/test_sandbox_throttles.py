"""The sandbox throttles like PostHog's rate_limit.py: budgets per personal API key shared by
every endpoint, the summary's own budgets, and PostHog's 429 (wait in the text, no header)."""

from __future__ import annotations

import pytest
import requests

from adminui.sandbox import demo
from adminui.sandbox.throttles import DEFAULT_THROTTLES, SUMMARIZATION_THROTTLES
from tests.conftest import AUTH, bearer

KEYS = "llm_analytics/provider_keys/"
INTEGRATIONS = "integrations/"
EVALUATIONS = "evaluations/"
SUMMARY = "llm_analytics/evaluation_summary/"


def get(sandbox, path: str, headers=AUTH) -> requests.Response:
    return requests.get(sandbox.api_url(path), headers=headers, timeout=10)


def test_by_default_the_rates_are_posthogs():
    assert [(t.scope, t.rate) for t in DEFAULT_THROTTLES] == [
        ("burst", "480/minute"),
        ("sustained", "4800/hour"),
    ]
    assert [t.rate for t in SUMMARIZATION_THROTTLES] == ["50/minute", "200/hour", "500/day"]


def test_every_endpoint_spends_the_same_burst_budget(sandbox):
    sandbox.switch(throttle_rates={"burst": "3/minute"})
    answers = [get(sandbox, path) for path in (KEYS, INTEGRATIONS, EVALUATIONS, KEYS)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json() == {
        "type": "throttled_error",
        "code": "throttled",
        "detail": answers[-1].json()["detail"],
        "attr": None,
    }
    assert answers[-1].json()["detail"].startswith("Request was throttled. Expected available in ")
    assert "Retry-After" not in answers[-1].headers  # drf-exceptions-hog drops DRF's header


def test_the_wait_is_when_the_oldest_counted_request_leaves_the_window(sandbox):
    sandbox.switch(throttle_rates={"sustained": "1/hour"})
    get(sandbox, KEYS)
    detail = get(sandbox, KEYS).json()["detail"]
    wait = int(detail.removeprefix("Request was throttled. Expected available in ").split()[0])
    assert 3590 <= wait <= 3600


def test_each_personal_api_key_has_its_own_budget(sandbox):
    sandbox.add_api_key("phx_second", ["*"])
    sandbox.switch(throttle_rates={"burst": "1/minute"})
    assert get(sandbox, KEYS).status_code == 200
    assert get(sandbox, KEYS).status_code == 429
    assert get(sandbox, KEYS, bearer("phx_second")).status_code == 200


def test_refused_credentials_and_scopes_spend_nothing(sandbox):
    sandbox.add_api_key("phx_no_scopes", [])
    sandbox.switch(throttle_rates={"burst": "1/minute"})
    assert get(sandbox, KEYS, bearer("phx_unknown")).status_code == 401
    assert get(sandbox, KEYS, bearer("phx_no_scopes")).status_code == 403
    assert get(sandbox, KEYS).status_code == 200


def test_the_summary_spends_its_own_budgets_not_the_default_ones(sandbox):
    sandbox.switch(
        throttle_rates={"burst": "1/minute", "llm_analytics_summarization_burst": "2/minute"}
    )
    assert get(sandbox, KEYS).status_code == 200
    assert get(sandbox, KEYS).status_code == 429
    summary = [
        requests.post(sandbox.api_url(SUMMARY), headers=AUTH, json={}, timeout=10).status_code
        for _ in range(3)
    ]
    assert summary == [400, 400, 429]  # counted even when the body is invalid


def test_turning_throttles_off_is_posthogs_rate_limit_enabled_off(sandbox):
    sandbox.switch(throttles=False, throttle_rates={"burst": "0/minute"})
    assert get(sandbox, KEYS).status_code == 200


def test_a_malformed_rate_is_refused_when_switched(sandbox):
    with pytest.raises(ValueError, match="throttle_rates takes rates"):
        sandbox.switch(throttle_rates={"burst": "lots"})


def test_the_portal_says_posthog_is_rate_limiting_where_the_user_looks(viewer_client, sandbox):
    sandbox.switch(throttle_rates={"burst": "0/minute"})
    response = viewer_client.get(f"/sandbox/keys/{demo.KEY_CLAUDE}/")
    assert response.status_code == 503
    assert "PostHog is rate limiting the portal. Try again in 60 seconds." in (
        response.content.decode()
    )
