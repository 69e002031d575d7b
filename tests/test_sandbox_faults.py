"""Faults, switches, reset, the control endpoints, clean shutdown and `manage.py sandbox`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from adminui.sandbox import demo
from adminui.sandbox.server import SandboxServer
from tests.conftest import AUTH, ROOT, sandbox_api

CONFIG = "llm_analytics/evaluation_config/"
KEYS = "llm_analytics/provider_keys/"


def get(sandbox, path: str = CONFIG, **kwargs) -> requests.Response:
    return sandbox_api(sandbox, "GET", path, **kwargs)


def control(sandbox, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"X-Sandbox-Control": "1"}
    return requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", headers=headers, timeout=10, **kwargs
    )


# --- Faults ----------------------------------------------------------------------------------


def test_a_status_fault_answers_a_posthog_shaped_body(sandbox):
    sandbox.faults.add("evaluation_config", status=503)

    response = get(sandbox)

    assert response.status_code == 503
    assert response.json() == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }


def test_a_status_fault_can_carry_its_own_body_and_headers(sandbox):
    body = {"detail": "Database unavailable"}
    sandbox.faults.add(CONFIG, status=503, body=body, headers={"Retry-After": "3"})

    response = get(sandbox)

    assert response.json() == body
    assert response.headers["Retry-After"] == "3"


def test_a_non_json_fault_answers_a_proxy_error_page(sandbox):
    sandbox.faults.add("evaluation_config", non_json=True)

    response = get(sandbox)

    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "<html>502 Bad Gateway</html>"


def test_a_drop_fault_closes_the_connection_without_an_answer(sandbox):
    sandbox.faults.add("evaluation_config", drop=True, times=1)

    with pytest.raises(requests.ConnectionError):
        get(sandbox)
    assert get(sandbox).status_code == 200


def test_a_latency_fault_delays_the_answer(sandbox):
    sandbox.faults.add("evaluation_config", latency=0.3)
    started = time.monotonic()

    response = get(sandbox)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_fault_with_times_expires_so_retries_can_succeed(sandbox):
    sandbox.faults.add("evaluation_config", status=502, times=2)

    statuses = [get(sandbox).status_code for _ in range(3)]

    assert statuses == [502, 502, 200]
    assert sandbox.faults.all() == []


def test_a_fault_matches_the_method_and_the_path_without_its_query(sandbox):
    sandbox.faults.add(r"provider_keys/$", method="post", status=500)

    listed = get(sandbox, KEYS, params={"x": "provider_keys/"})
    created = requests.post(sandbox.api_url(KEYS), headers=AUTH, json={}, timeout=10)

    assert listed.status_code == 200
    assert created.status_code == 500


def test_the_first_matching_fault_wins(sandbox):
    sandbox.faults.add("evaluation_config", status=503, times=1)
    sandbox.faults.add("llm_analytics", status=418)

    assert [get(sandbox).status_code for _ in range(2)] == [503, 418]


def test_server_wide_latency_slows_every_api_request(sandbox):
    sandbox.switch(latency=0.2)
    started = time.monotonic()

    get(sandbox)

    assert time.monotonic() - started >= 0.2


# --- Control endpoints and reset -------------------------------------------------------------


def test_faults_can_be_managed_over_http(sandbox):
    added = control(sandbox, "POST", "faults", json={"path_regex": "models", "status": 429})
    listed = control(sandbox, "GET", "faults").json()["faults"]
    limited = get(sandbox, "llm_analytics/models/")
    cleared = control(sandbox, "DELETE", "faults")

    assert added.status_code == 201
    assert added.json()["status"] == 429
    assert [fault["path_regex"] for fault in listed] == ["models"]
    assert limited.status_code == 429
    assert cleared.status_code == 204
    assert get(sandbox, "llm_analytics/models/").status_code == 200


def test_a_bad_fault_is_refused_over_http(sandbox):
    response = control(sandbox, "POST", "faults", json={"path_regex": "([", "status": 500})

    assert response.status_code == 400
    assert sandbox.faults.all() == []


def test_switches_can_be_flipped_over_http(sandbox):
    response = control(sandbox, "POST", "switches", json={"trial_era": True, "summary_delay": 0.5})

    assert response.json()["trial_era"] is True
    assert sandbox.state.switches.summary_delay == 0.5
    assert "trial_eval_limit" in get(sandbox).json()
    assert control(sandbox, "POST", "switches", json={"nonsense": 1}).status_code == 400


def test_reset_over_http_restores_the_demo_data(sandbox):
    requests.delete(sandbox.api_url(f"{KEYS}{demo.KEY_CLAUDE}/"), headers=AUTH, timeout=10)

    response = control(sandbox, "POST", "reset")

    assert response.status_code == 204
    assert get(sandbox, f"{KEYS}{demo.KEY_CLAUDE}/").status_code == 200


def test_reset_forgets_faults_keys_switches_and_recorded_requests(sandbox):
    sandbox.faults.add("anything", status=500)
    sandbox.add_api_key("phx_extra", ["*"])
    sandbox.switch(trial_era=True, legacy_integration_access=True, summary_delay=9.0)
    get(sandbox, KEYS)

    sandbox.reset()

    assert sandbox.faults.all() == []
    assert not sandbox.requests
    switches = sandbox.state.switches
    assert (switches.trial_era, switches.legacy_integration_access) == (False, False)
    assert switches.summary_delay == 0.05
    extra = requests.get(sandbox.api_url(KEYS), headers={"Authorization": "Bearer phx_extra"})
    assert extra.status_code == 401


def test_control_requests_are_not_recorded_and_need_no_auth(sandbox):
    assert control(sandbox, "GET", "switches").status_code == 200
    assert control(sandbox, "GET", "nothing-here").status_code == 404
    assert not sandbox.requests


def test_the_demo_data_is_the_same_after_every_reset(sandbox):
    before = get(sandbox, "integrations/2101/github_repos/", params={"limit": 500}).json()

    sandbox.reset()

    assert get(sandbox, "integrations/2101/github_repos/", params={"limit": 500}).json() == before


# --- Lifecycle -------------------------------------------------------------------------------


def test_it_stops_cleanly_with_a_keep_alive_connection_open():
    server = SandboxServer(port=0).start()
    session = requests.Session()
    assert session.get(server.api_url(KEYS), headers=AUTH, timeout=5).status_code == 200
    thread = server._thread

    started = time.monotonic()
    server.stop()

    assert time.monotonic() - started < 2
    assert thread is not None and not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        session.get(server.api_url(KEYS), headers=AUTH, timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_management_command_serves_until_terminated():
    port = free_port()
    command = [
        sys.executable, "manage.py", "sandbox", "--port", str(port), "--summary-delay", "0.1",
        "--fault", "GET evaluation_config 503", "--fault", "* models nonjson",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        base = f"http://127.0.0.1:{port}/api/projects/{demo.DEMO_PROJECT_ID}/"

        keys = requests.get(base + KEYS, headers=AUTH, timeout=5)
        config = requests.get(base + CONFIG, headers=AUTH, timeout=5)
        models = requests.get(base + "llm_analytics/models/", headers=AUTH, timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert banner.startswith(f"PostHog sandbox running at http://127.0.0.1:{port}")
    assert (keys.status_code, config.status_code, models.status_code) == (200, 503, 502)
    assert process.returncode == 0


def test_changing_the_sandbox_needs_its_control_header(sandbox):
    # A plain form POST from some web page in the developer's browser cannot add this header.
    response = requests.post(f"{sandbox.url}/_sandbox/reset", data="x", timeout=10)
    assert response.status_code == 403
    assert "X-Sandbox-Control" in response.json()["detail"]
