"""Keys across environments: providers by environments, which environment has a valid key for
each provider and which has none; each cell opens that environment's keys of the provider."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from adminui.accounts.models import EnvironmentRole
from adminui.sandbox.server import SandboxServer
from adminui.sandbox.staging import STAGING_ACTIVE_KEY_ID
from tests.conftest import HTMX, closed_port
from tests.two_environments import installed, production_and_staging, unreachable

URL = "/environments/keys/"


@pytest.fixture(scope="module")
def staging_sandbox():
    """Staging's own PostHog, so its keys can differ from Production's."""
    server = SandboxServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def apart(sandbox, staging_sandbox):
    """Production on the test's sandbox, Staging on its own; Staging has lost its Anthropic keys
    and its only Gemini key is failing (as in the demo data)."""
    staging_sandbox.reset()
    keys = staging_sandbox.state.provider_keys
    for key_id in [key_id for key_id, key in keys.items() if key.provider == "anthropic"]:
        del keys[key_id]
    prod, staging = production_and_staging(sandbox)
    with installed(prod, replace(staging, host=staging_sandbox.url)) as environments:
        yield environments


def cell(html: str, provider: str, environment: str) -> str:
    row_start = html.index(f'provider-{provider}"')
    row = html[row_start : html.index("</tr>", row_start)]
    start = row.index(">", row.index(f'data-environment="{environment}"')) + 1
    return row[start : row.index("</td>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_cell_counts_the_valid_keys_and_links_to_them(viewer_client, apart):
    html = viewer_client.get(URL).content.decode()
    openai = cell(html, "openai", "prod")
    assert text(openai).startswith("2 valid")
    assert 'href="/prod/keys/?provider=openai"' in openai
    assert text(cell(html, "anthropic", "prod")) == "1 valid of 2"


def test_an_environment_without_a_key_for_a_provider_says_none(viewer_client, apart):
    anthropic = cell(viewer_client.get(URL).content.decode(), "anthropic", "staging")
    assert text(anthropic) == "None"
    assert 'href="/staging/keys/?provider=anthropic"' in anthropic


def test_a_provider_with_only_failing_keys_has_no_valid_key(viewer_client, apart):
    gemini = text(cell(viewer_client.get(URL).content.decode(), "gemini", "staging"))
    assert gemini == "No valid key 1 key, 1 failing"


def test_the_provider_running_evaluations_is_marked(viewer_client, apart):
    html = viewer_client.get(URL).content.decode()
    assert "Runs evaluations" in cell(html, "openai", "prod")
    assert "Runs evaluations" not in cell(html, "anthropic", "prod")


def test_providers_no_environment_uses_are_named_below(viewer_client, apart):
    html = viewer_client.get(URL).content.decode()
    assert "provider-fireworks" not in html
    assert "No environment has a key for Fireworks, MiniMax, Zeabur AI Hub." in text(html)


def test_an_unreachable_environment_fails_only_its_column(viewer_client, settings, sandbox):
    settings.POSTHOG_RETRIES = 0
    prod, staging = production_and_staging(sandbox)
    with installed(prod, unreachable(staging, closed_port())):
        response = viewer_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Staging: Could not connect to PostHog" in text(html)
    assert text(cell(html, "openai", "staging")) == "Unknown"
    assert text(cell(html, "openai", "prod")).startswith("2 valid")


def test_every_environments_keys_are_read_at_the_same_time(viewer_client, sandbox, call_events):
    sandbox.faults.add(r".", latency=0.2)
    with installed(*production_and_staging(sandbox)):
        assert viewer_client.get(URL).status_code == 200
    # Keys and the evaluation config of both environments, all sent before the first answer.
    assert call_events[:4] == ["start"] * 4 and call_events.count("start") == 4


def test_hidden_environments_have_no_column(viewer_client, viewer, apart):
    EnvironmentRole.objects.create(user=viewer, environment="staging", role="none")
    html = viewer_client.get(URL).content.decode()
    assert 'data-environment="prod"' in html and 'data-environment="staging"' not in html


def test_htmx_refresh_gets_only_the_matrix(viewer_client, apart):
    html = viewer_client.get(URL, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="key-matrix"') and "<html" not in html


def test_someone_without_a_role_is_refused(nobody_client, sandbox):
    with installed(*production_and_staging(sandbox)):
        assert nobody_client.get(URL).status_code == 403
    assert not sandbox.received(r"provider_keys", "GET")


def test_a_failing_evaluation_key_shows_in_its_cell_even_beside_valid_keys(
    viewer_client, two_environments
):
    # Staging runs evaluations with its revoked Anthropic key; another Anthropic key is valid.
    html = viewer_client.get(URL).content.decode()
    anthropic = cell(html, "anthropic", "staging")
    assert "Evaluation key invalid" in text(anthropic) and "Runs evaluations" not in anthropic
    assert f"/staging/keys/{STAGING_ACTIVE_KEY_ID}/" in anthropic
