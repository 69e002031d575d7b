"""One JSON line per request; its request id goes to PostHog and onto error pages."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from adminui.ops.logs import json_formatter
from adminui.posthog.redaction import RedactSecretsFilter


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "adminui.request"]


def test_one_line_per_request_with_who_where_and_what_posthog_cost(viewer_client, caplog):
    caplog.set_level(logging.INFO, logger="adminui.request")
    response = viewer_client.get("/sandbox/keys/?q=open")
    (line,) = request_lines(caplog)
    assert line.request_id == response["X-Request-ID"]
    assert (line.user, line.environment, line.method) == ("vic", "sandbox", "GET")
    assert (line.path, line.status) == ("/sandbox/keys/?q=open", 200)
    assert line.duration_ms > 0
    assert line.posthog_calls >= 1
    assert 0 < line.posthog_ms <= line.duration_ms


def test_calls_made_in_parallel_threads_count_for_their_request(viewer_client, sandbox, caplog):
    caplog.set_level(logging.INFO, logger="adminui.request")
    viewer_client.get("/sandbox/")  # the overview asks for several cards at once
    (line,) = request_lines(caplog)
    assert line.posthog_calls == len(sandbox.requests) > 1


def test_the_request_id_is_sent_to_posthog(viewer_client, sandbox):
    response = viewer_client.get("/sandbox/keys/")
    sent = {headers.get("X-Request-ID") for _, _, headers, _ in sandbox.requests}
    assert sent == {response["X-Request-ID"]}


def test_the_load_balancers_request_id_is_kept_and_a_forged_one_replaced(viewer_client):
    kept = viewer_client.get("/sandbox/keys/", headers={"X-Request-ID": "lb-1234-abcd"})
    assert kept["X-Request-ID"] == "lb-1234-abcd"
    forged = viewer_client.get("/sandbox/keys/", headers={"X-Request-ID": "<script>"})
    assert forged["X-Request-ID"] != "<script>" and len(forged["X-Request-ID"]) == 32


def test_probes_are_not_logged_when_they_pass(client, caplog):
    caplog.set_level(logging.INFO, logger="adminui.request")
    client.get("/healthz")
    assert request_lines(caplog) == []


def test_an_upstream_error_page_shows_the_request_id(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=500)
    response = viewer_client.get("/sandbox/keys/")
    assert response.status_code == 502
    assert f"Request id: <code>{response['X-Request-ID']}</code>" in response.content.decode()


@pytest.fixture
def crashing_client(viewer):
    """A client that sees the error page instead of the test re-raising the view's exception."""
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    return client


@pytest.mark.urls("tests.crash_urls")
def test_a_crash_shows_the_500_page_with_the_request_id(crashing_client):
    response = crashing_client.get("/crash/")
    assert response.status_code == 500
    assert f"Request id: <code>{response['X-Request-ID']}</code>" in response.content.decode()


@pytest.mark.urls("tests.crash_urls")
def test_a_database_outage_is_a_clear_503(crashing_client):
    response = crashing_client.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "adminui is temporarily unavailable" in page
    assert "Nothing you saved is lost" in page
    assert f"Request id: <code>{response['X-Request-ID']}</code>" in page


def test_json_lines_carry_the_extras_and_mask_secrets():
    record = logging.LogRecord(
        "adminui.request", logging.INFO, __file__, 1, "key %s", ("sk-abcdefghijklmnop",), None
    )
    record.status = 200
    try:
        raise ValueError("phx_abcdefghijklmnopqrst leaked")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecretsFilter().filter(record)
    line = json.loads(json_formatter().format(record))
    assert line["event"] == "key sk-********"
    assert line["status"] == 200
    assert line["level"] == "info" and line["logger"] == "adminui.request"
    assert (
        "phx_********" in line["exception"] and "phx_abcdefghijklmnopqrst" not in line["exception"]
    )
