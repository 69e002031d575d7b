"""The Overview: keys, evaluations and integrations on one screen; one failing call, one card."""

from __future__ import annotations

import re

from adminui.models import AuditEvent, SummaryRequest
from adminui.sandbox import demo
from tests.conftest import HTMX

URL = "/sandbox/"


def card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start : html.find("</section>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_shows_the_active_evaluation_key_and_its_state(viewer_client, sandbox):
    html = viewer_client.get(URL).content.decode()
    active = sandbox.state.provider_keys[demo.ACTIVE_KEY_ID]
    section = card(html, "card-active-key")
    assert active.name in section
    assert f'href="/sandbox/keys/{demo.ACTIVE_KEY_ID}/"' in section
    assert '<span class="tag tag-ok">Valid</span>' in section


def test_an_active_key_that_broke_is_flagged(viewer_client, sandbox):
    active = sandbox.state.provider_keys[demo.ACTIVE_KEY_ID]
    active.state, active.error_message = "invalid", "Invalid API key"
    section = card(viewer_client.get(URL).content.decode(), "card-active-key")
    assert "Evaluations without a pinned model fail until this key is valid again" in section


def test_it_counts_keys_by_state_and_lists_those_needing_attention(viewer_client, sandbox):
    section = card(viewer_client.get(URL).content.decode(), "card-keys")
    keys = list(sandbox.state.provider_keys.values())
    assert f'<a href="/sandbox/keys/">{len(keys)}</a>' in section
    for state, label in [("ok", "Valid"), ("invalid", "Invalid"), ("error", "Error")]:
        count = sum(key.state == state for key in keys)
        assert f'href="/sandbox/keys/?state={state}"' in section
        assert f" {label} {count} " in text(section)
    broken = [key for key in keys if key.state in ("invalid", "error")]
    assert broken and all(key.name in section for key in broken)
    assert "Invalid: Invalid API key" in text(section)


def test_keys_older_than_the_rotation_age_need_attention(viewer_client, settings):
    settings.KEY_ROTATION_DAYS = 100_000
    assert "due for rotation" not in viewer_client.get(URL).content.decode()
    settings.KEY_ROTATION_DAYS = 1
    assert "days old: due for rotation" in viewer_client.get(URL).content.decode()


def test_it_lists_integrations_needing_reconnection(viewer_client):
    section = card(viewer_client.get(URL).content.decode(), "card-integrations")
    assert '<a href="/sandbox/integrations/">8</a>' in section
    assert "Needs reconnecting" in section
    assert f'href="/sandbox/integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/">Acme Labs</a>' in (
        section
    )


def test_it_counts_evaluations(viewer_client, sandbox):
    section = card(viewer_client.get(URL).content.decode(), "card-evaluations")
    evaluations = list(sandbox.state.evaluations.values())
    enabled = sum(e.enabled for e in evaluations)
    assert f"{enabled} enabled" in section
    assert f">{len(evaluations)}<" in section


def test_it_shows_the_latest_summaries(viewer_client, viewer):
    SummaryRequest.objects.create(
        requested_by=viewer,
        requested_by_name="vic",
        environment="sandbox",
        evaluation_id="0b5e0d4e-9d8f-4a51-8f3f-1f7b1f3c2a10",
        evaluation_name="Helpfulness",
        status=SummaryRequest.Status.SUCCEEDED,
    )
    SummaryRequest.objects.create(
        requested_by_name="vic", environment="elsewhere", evaluation_id="x", evaluation_name="Nope"
    )
    section = card(viewer_client.get(URL).content.decode(), "card-evaluations")
    assert "Helpfulness" in section and "Nope" not in section
    assert '<span class="tag tag-ok">Done</span>' in section


def test_without_summaries_it_points_to_evaluations(viewer_client):
    section = card(viewer_client.get(URL).content.decode(), "card-evaluations")
    assert "No summaries asked for through the portal yet." in section


def test_it_shows_recent_changes_made_through_the_portal(viewer_client):
    AuditEvent.objects.create(
        actor_name="eddie",
        environment="sandbox",
        action="integration.authorize",
        target_type="integration",
        target_label="Slack",
        outcome=AuditEvent.Outcome.SUCCESS,
    )
    section = card(viewer_client.get(URL).content.decode(), "card-audit")
    assert "eddie started connecting Slack" in text(section)


def test_it_says_the_portal_follows_posthogs_move_with_nothing_to_do(viewer_client):
    section = text(card(viewer_client.get(URL).content.decode(), "card-notices"))
    assert "PostHog moved its API from /api/environments/ to /api/projects/" in section
    assert "31 July 2026" in section
    assert "The portal follows the move: it calls /api/projects/4242/" in section
    assert "Nothing to do." in section and "POSTHOG_API_PREFIX" not in section


def test_a_prefix_pinned_to_the_alias_says_how_to_follow(viewer_client, settings):
    settings.POSTHOG_API_PREFIX = "environments"
    section = text(card(viewer_client.get(URL).content.decode(), "card-notices"))
    assert "PostHog marks the /api/environments/ paths as deprecated" in section
    assert "Set it to auto (the default)" in section


def test_on_the_successor_paths_there_is_no_notice(viewer_client, settings):
    settings.POSTHOG_API_PREFIX = "projects"
    section = card(viewer_client.get(URL).content.decode(), "card-notices")
    assert "No deprecation notices from PostHog." in section


def test_one_failing_call_breaks_only_its_own_card(viewer_client, sandbox):
    sandbox.faults.add(r"/integrations/?$", status=500)
    response = viewer_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "PostHog had an internal error (HTTP 500)" in card(html, "card-integrations")
    assert "Production OpenAI" in card(html, "card-active-key")
    assert "Needs attention" in card(html, "card-keys")
    assert "enabled" in card(html, "card-evaluations")


def test_a_missing_scope_breaks_only_the_keys_card(viewer_client, sandbox):
    sandbox.faults.add(
        r"/llm_analytics/provider_keys/?$",
        status=403,
        body={
            "type": "authentication_error",
            "code": "permission_denied",
            "detail": "API key missing required scope 'llm_provider_key:read'",
            "attr": None,
        },
    )
    html = viewer_client.get(URL).content.decode()
    assert "llm_provider_key:read" in card(html, "card-keys")
    assert "Acme Labs" in card(html, "card-integrations")


def test_the_upstream_calls_run_at_the_same_time(viewer_client, sandbox, call_events):
    sandbox.faults.add(r".", latency=0.2)
    assert viewer_client.get(URL).status_code == 200
    # Every call reached PostHog before the first answer came back: they overlapped.
    assert call_events[:4] == ["start"] * 4 and call_events.count("start") == 4


def test_htmx_refresh_gets_only_the_cards(viewer_client):
    response = viewer_client.get(URL, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="overview-cards"')
    assert "<html" not in html and "Evaluation key" in html
