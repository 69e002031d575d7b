"""All environments: a row per environment the user may see, read at the same time; one
environment failing breaks only its own row."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.utils import timezone

from adminui.accounts.models import EnvironmentRole
from adminui.alerts.models import Alert
from adminui.models import SummaryRequest
from adminui.sandbox import demo
from tests.conftest import HTMX, closed_port
from tests.two_environments import installed, production_and_staging, unreachable

URL = "/environments/"


@pytest.fixture
def two(sandbox):
    with installed(*production_and_staging(sandbox)) as environments:
        yield environments


def row(html: str, slug: str) -> str:
    start = html.index(f'id="environment-{slug}"')
    return html[start : html.index("</tr>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_home_page_opens_all_environments_when_there_are_several(viewer_client, two):
    response = viewer_client.get("/")
    assert response.status_code == 302 and response["Location"] == URL


def test_with_one_environment_the_home_page_opens_its_overview(viewer_client):
    response = viewer_client.get("/")
    assert response["Location"] == "/sandbox/"


def test_each_environment_has_a_row_with_its_evaluation_key(viewer_client, sandbox, two):
    html = viewer_client.get(URL).content.decode()
    active = sandbox.state.provider_keys[demo.ACTIVE_KEY_ID]
    for slug in ("prod", "staging"):
        cells = row(html, slug)
        assert f'href="/{slug}/keys/{demo.ACTIVE_KEY_ID}/">{active.name}</a>' in cells
        assert '<span class="tag tag-ok">Valid</span>' in cells
    assert 'class="env-dot env-colour-red"' in row(html, "prod")
    assert "env-colour" not in row(html, "staging")


def test_a_row_lists_keys_needing_attention_and_integrations_to_reconnect(viewer_client, two):
    cells = row(viewer_client.get(URL).content.decode(), "prod")
    assert "Invalid: Invalid API key" in text(cells)
    assert f'href="/prod/integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/">Acme Labs</a>' in cells


def test_a_row_shows_its_environments_latest_summary(viewer_client, two):
    for environment, name in [("staging", "Older"), ("staging", "Helpfulness"), ("prod", "Tone")]:
        SummaryRequest.objects.create(
            requested_by_name="vic",
            environment=environment,
            evaluation_id=demo.EVAL_ANSWER_RELEVANCE,
            evaluation_name=name,
            status=SummaryRequest.Status.SUCCEEDED,
        )
    html = viewer_client.get(URL).content.decode()
    staging = row(html, "staging")
    assert "Helpfulness" in staging and "Older" not in staging and "Tone" not in staging
    assert "Tone" in row(html, "prod")


def test_a_notice_shows_only_where_the_portal_still_calls_deprecated_paths(viewer_client, sandbox):
    prod, staging = production_and_staging(sandbox)
    with installed(replace(prod, api_prefix="environments"), staging):
        html = viewer_client.get(URL).content.decode()
    assert "PostHog marks the paths the portal calls as deprecated" in row(html, "prod")
    assert "31 July 2026" in row(html, "prod")
    # Staging follows PostHog to /api/projects/ by itself: nothing to do there.
    assert "Deprecated" not in row(html, "staging")


def test_one_unreachable_environment_breaks_only_its_own_row(viewer_client, settings, sandbox):
    settings.POSTHOG_RETRIES = 0
    prod, staging = production_and_staging(sandbox)
    with installed(prod, unreachable(staging, closed_port())):
        response = viewer_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Could not connect to PostHog" in text(row(html, "staging"))
    assert "Production OpenAI" in row(html, "prod")


def test_one_failing_call_breaks_only_its_own_cell(viewer_client, sandbox, two):
    sandbox.faults.add(r"/integrations/?$", status=500)
    html = viewer_client.get(URL).content.decode()
    for slug in ("prod", "staging"):
        cells = row(html, slug)
        assert "PostHog had an internal error (HTTP 500)" in cells
        assert "Production OpenAI" in cells


def test_every_environments_calls_run_at_the_same_time(viewer_client, sandbox, call_events, two):
    sandbox.faults.add(r".", latency=0.2)
    assert viewer_client.get(URL).status_code == 200
    # Three calls per environment, all sent before the first answer: one round trip in all.
    assert call_events[:6] == ["start"] * 6 and call_events.count("start") == 6


def test_a_user_sees_only_the_environments_they_may_see(viewer_client, viewer, two):
    EnvironmentRole.objects.create(user=viewer, environment="staging", role="none")
    html = viewer_client.get(URL).content.decode()
    assert 'id="environment-prod"' in html and 'id="environment-staging"' not in html


def test_htmx_refresh_gets_only_the_rows(viewer_client, two):
    html = viewer_client.get(URL, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="environment-rows"') and "<html" not in html


def test_someone_without_a_role_is_refused(nobody_client, two):
    assert nobody_client.get(URL).status_code == 403


def test_a_row_counts_its_unresolved_alerts_and_names_the_most_severe(viewer_client, two):
    for kind, severity, label in (
        (Alert.Kind.KEY_FAILING, Alert.Severity.WARNING, "Old key"),
        (Alert.Kind.ACTIVE_KEY_FAILING, Alert.Severity.CRITICAL, "Production OpenAI"),
    ):
        Alert.objects.create(
            environment="prod",
            kind=kind,
            subject_type="provider_key",
            subject_id=label,
            subject_label=label,
            severity=severity,
            opened_at=timezone.now(),
        )
    html = viewer_client.get(URL).content.decode()
    prod = row(html, "prod")
    assert '<a href="/prod/alerts/">' in prod and "2 unresolved alerts" in text(prod)
    assert "The evaluation key “Production OpenAI” is failing" in text(prod)
    assert "unresolved alert" not in row(html, "staging") and "acknowledged" not in prod
    Alert.objects.filter(kind=Alert.Kind.KEY_FAILING).update(status=Alert.Status.ACKNOWLEDGED)
    acknowledged = text(row(viewer_client.get(URL).content.decode(), "prod"))
    assert "2 unresolved alerts (1 acknowledged)" in acknowledged
