"""A throttled PostHog never holds a web worker: short waits are waited for, longer ones are
answered at once with when to try again, and the page tries again by itself."""

from __future__ import annotations

import time

from adminui.evaluations import tasks
from adminui.posthog.retries import BACKGROUND, current_patience
from tests.conftest import htmx_for
from tests.summary_helpers import stored_summary

PAGE = "/sandbox/keys/"


def throttle_keys(sandbox, seconds: int, times: int | None = None) -> None:
    headers = {"Retry-After": str(seconds)}
    sandbox.faults.add("provider_keys", method="GET", status=429, headers=headers, times=times)


def test_a_page_answers_at_once_when_posthog_asks_for_a_long_wait(viewer_client, sandbox):
    throttle_keys(sandbox, 10)
    started = time.monotonic()
    response = viewer_client.get(PAGE)
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    content = response.content.decode()
    assert "PostHog is rate limiting the portal. Try again in 10 seconds." in content
    assert len(sandbox.received("provider_keys", "GET")) == 1  # no retries that cannot succeed
    # Without JavaScript, the browser reloads the page once PostHog accepts requests again.
    assert response["Refresh"] == "10" and response["Retry-After"] == "10"
    assert "This page reloads by itself in 10 s." in content


def test_an_htmx_region_tries_again_by_itself_after_the_wait(viewer_client, sandbox):
    throttle_keys(sandbox, 7)
    response = viewer_client.get(PAGE, headers=htmx_for("key-region"))
    assert response.status_code == 503
    content = response.content.decode()
    assert 'hx-trigger="load delay:7s"' in content
    assert 'hx-target="#key-region"' in content and f'hx-get="{PAGE}"' in content
    assert f'href="{PAGE}"' in content  # and a plain link, for a click before the wait is over
    assert "Refresh" not in response


def test_a_short_wait_is_waited_for_and_the_page_loads(viewer_client, sandbox):
    throttle_keys(sandbox, 1, times=1)
    started = time.monotonic()
    response = viewer_client.get(PAGE)
    assert response.status_code == 200
    assert 1 <= time.monotonic() - started < 3


def test_a_long_wait_is_not_retried_by_itself(viewer_client, sandbox):
    throttle_keys(sandbox, 3600)
    response = viewer_client.get(PAGE)
    assert response.status_code == 503
    assert "Refresh" not in response
    assert "load delay" not in response.content.decode()


def test_the_summary_task_waits_as_long_as_posthog_asks(editor, sandbox, monkeypatch):
    seen = []
    real = tasks.record_call
    monkeypatch.setattr(
        tasks, "record_call", lambda *a, **k: seen.append(current_patience()) or real(*a, **k)
    )
    stored_summary(editor)
    assert seen == [BACKGROUND]
