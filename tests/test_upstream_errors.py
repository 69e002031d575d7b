"""Every way PostHog can fail gives a clear, specific message where the user is looking:
never a Django 500, never a secret."""

from __future__ import annotations

import html

import pytest

from adminui.sandbox import demo
from tests.conftest import HTMX, closed_port, htmx_for

PAGE = "/sandbox/keys/"


@pytest.fixture(autouse=True)
def no_retry_waits(settings):
    settings.POSTHOG_RETRY_BACKOFF = 0


def assert_shown(response, status: int, *phrases: str):
    content = html.unescape(response.content.decode())
    assert response.status_code == status, content[:500]
    for phrase in phrases:
        assert phrase in content, f"{phrase!r} not in the page"
    assert demo.DEMO_PERSONAL_API_KEY not in content


def test_unreachable(viewer_client, settings):
    settings.POSTHOG_HOST = f"http://127.0.0.1:{closed_port()}"
    assert_shown(viewer_client.get(PAGE), 502, "the connection was refused", "POSTHOG_HOST")


def test_timeout(viewer_client, sandbox, settings):
    settings.POSTHOG_READ_TIMEOUT = 0.2
    sandbox.faults.add("provider_keys", latency=1.0)
    assert_shown(viewer_client.get(PAGE), 504, "did not answer within 0.2 seconds")


def test_a_rejected_personal_api_key(viewer_client, settings):
    settings.POSTHOG_PERSONAL_API_KEY = "phx_revoked_key_1234567890"
    response = viewer_client.get(PAGE)
    assert_shown(response, 502, "rejected the portal's personal API key")
    assert "phx_revoked_key_1234567890" not in response.content.decode()


def test_a_missing_scope_is_named(viewer_client, sandbox, settings):
    sandbox.add_api_key("phx_few_scopes_abcdefghij", ["llm_analytics:read"])
    settings.POSTHOG_PERSONAL_API_KEY = "phx_few_scopes_abcdefghij"
    assert_shown(viewer_client.get(PAGE), 502, "missing the 'llm_provider_key:read' scope")


def test_not_found(viewer_client):
    missing = "00000000-0000-4000-8000-000000000000"
    assert_shown(viewer_client.get(f"/sandbox/keys/{missing}/"), 404, "could not find it")


def test_rate_limited_with_the_wait(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=429, headers={"Retry-After": "120"})
    response = viewer_client.get(PAGE)
    assert_shown(response, 503, "2 minutes")
    assert response["Retry-After"] == "120"


def test_a_server_error(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=500)
    assert_shown(viewer_client.get(PAGE), 502, "PostHog's side")


def test_a_non_json_page_from_a_proxy(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", non_json=True, status=502)
    assert_shown(viewer_client.get(PAGE), 502, "non-JSON 502 page")


def test_a_dropped_connection(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", drop=True)
    assert_shown(viewer_client.get(PAGE), 502, "dropped")


REGION = htmx_for("key-region")


def test_htmx_gets_the_message_as_a_fragment_in_place(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=500)
    response = viewer_client.get(PAGE, {"q": "x"}, headers=REGION)
    content = response.content.decode()
    assert response.status_code == 502
    assert content.lstrip().startswith('<div class="panel panel-error" role="alert"')
    assert "<html" not in content


def test_a_failing_card_does_not_break_the_page(viewer_client, sandbox):
    sandbox.faults.add("evaluation_config", status=500)
    response = viewer_client.get(PAGE)
    assert response.status_code == 200
    assert "Production OpenAI" in response.content.decode()
    assert "panel-error" in response.content.decode()


def test_admins_are_asked_to_act_only_when_the_prefix_is_pinned_to_the_alias(
    admin_client, viewer_client, settings
):
    banner = b"keeps the portal on them"
    assert banner not in admin_client.get(PAGE).content  # auto follows PostHog by itself
    settings.POSTHOG_API_PREFIX = "environments"
    assert banner in admin_client.get(PAGE).content
    assert banner not in viewer_client.get(PAGE).content
    settings.POSTHOG_API_PREFIX = "projects"
    assert banner not in admin_client.get(PAGE).content


def test_a_failed_htmx_read_stays_inside_the_region_that_asked(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=500)
    response = viewer_client.get(PAGE, {"q": "x"}, headers=REGION)
    # innerHTML keeps the region (its id and its refresh trigger) so it can try again.
    assert response["HX-Reswap"] == "innerHTML"
    assert response["HX-Reselect"] == "[role=alert]"


def test_a_failed_htmx_action_is_a_toast(editor_client, sandbox):
    sandbox.faults.add("validate", status=500)
    response = editor_client.post(f"{PAGE}{demo.KEY_CLAUDE}/validate/", headers=HTMX)
    assert response["HX-Retarget"] == "#toasts" and response["HX-Reswap"] == "beforeend"
    assert response.content.decode().lstrip().startswith('<div class="toast toast-error"')


def test_a_form_with_its_own_error_slot_keeps_the_error_there(editor_client, sandbox):
    sandbox.faults.add("provider_keys/", method="DELETE", status=500)
    response = editor_client.post(
        f"{PAGE}{demo.KEY_TOGETHER}/delete/", headers=htmx_for("delete-errors")
    )
    assert response.status_code == 502
    assert response["HX-Reswap"] == "innerHTML" and "HX-Retarget" not in response


def test_pages_vary_on_htmx(viewer_client):
    assert "HX-Request" in viewer_client.get(PAGE)["Vary"]


def test_a_failed_read_with_no_region_of_its_own_is_a_toast(editor_client, sandbox):
    sandbox.faults.add("provider_keys/", method="GET", status=500)
    response = editor_client.get(f"{PAGE}{demo.KEY_TOGETHER}/delete/", headers=HTMX)
    assert response["HX-Retarget"] == "#toasts"
    assert response.content.decode().lstrip().startswith('<div class="toast toast-error"')
