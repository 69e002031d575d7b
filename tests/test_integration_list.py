"""The integrations list: kind, name, status, created; filters, search, sorting and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adminui.sandbox import demo
from adminui.sandbox.state import Integration
from tests.conftest import htmx_for

URL = "/sandbox/integrations/"
REGION = htmx_for("integration-region")


def rows(response) -> list[str]:
    """The integration names in the table, in order."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        part.split("</a>")[0].split(">")[-1]
        for part in body.split('<td><a href="/sandbox/integrations/')[1:]
    ]


def add_integrations(sandbox, count: int) -> None:
    now = datetime.now(UTC)
    for index in range(count):
        integration_id = 3000 + index
        sandbox.state.integrations[integration_id] = Integration(
            integration_id,
            "slack",
            f"T{index:04d}",
            {"team": {"id": f"T{index:04d}", "name": f"Workspace {index:02d}"}},
            now - timedelta(days=index),
            None,
        )


def test_it_lists_every_integration_with_kind_name_status_and_creator(viewer_client):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ["GitHub", "Slack", "Jira", "Linear", "Google Ads", "LinkedIn Ads", "Twilio"]:
        assert label in html
    assert "acme-corp" in html and "acme.atlassian.net" in html
    assert "by Jane" in html and "by Omar" in html
    assert html.count('class="tag tag-ok">Connected') == 7
    assert "kind-icon kind-github" in html
    assert f'href="/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"' in html


def test_an_integration_whose_token_refresh_failed_shows_as_needing_reconnecting(viewer_client):
    html = viewer_client.get(URL).content.decode()
    assert html.count('class="tag tag-bad">Needs reconnecting') == 1
    assert "1 integration needs reconnecting" in html


def test_it_filters_by_kind(viewer_client):
    response = viewer_client.get(URL, {"kind": "linear"})
    assert rows(response) == ["Acme", "Acme Labs"]
    assert '<option value="linear" selected>Linear</option>' in response.content.decode()


def test_it_searches_by_name(viewer_client):
    assert rows(viewer_client.get(URL, {"q": "acme.atl"})) == ["acme.atlassian.net"]
    response = viewer_client.get(URL, {"q": "nothing like it"})
    assert "No integrations match these filters" in response.content.decode()


def test_it_filters_by_status(viewer_client):
    assert rows(viewer_client.get(URL, {"status": "needs_reconnecting"})) == ["Acme Labs"]
    assert "Acme Labs" not in rows(viewer_client.get(URL, {"status": "connected"}))


def test_it_sorts_by_a_column_in_either_direction(viewer_client):
    ascending = rows(viewer_client.get(URL, {"o": "name"}))
    assert ascending == sorted(ascending, key=str.casefold)
    assert rows(viewer_client.get(URL, {"o": "-name"})) == ascending[::-1]
    newest_first = rows(viewer_client.get(URL, {"o": "-created"}))
    assert newest_first[0] == "Acme Labs"


def test_it_pages_through_many_integrations_keeping_the_filters(viewer_client, sandbox):
    add_integrations(sandbox, 25)
    first = viewer_client.get(URL, {"kind": "slack", "per_page": 10, "o": "name"})
    assert len(rows(first)) == 10
    html = first.content.decode()
    assert "1–10 of 26" in html
    assert 'href="?kind=slack&amp;per_page=10&amp;o=name&amp;page=2"' in html
    third = viewer_client.get(URL, {"kind": "slack", "per_page": 10, "o": "name", "page": 3})
    assert rows(third) == [f"Workspace {n}" for n in range(19, 25)]
    assert "21–26 of 26" in third.content.decode()


def test_htmx_gets_only_the_table_region(viewer_client):
    response = viewer_client.get(URL, {"kind": "github"}, headers=REGION)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="integration-region">')
    assert "<html" not in html and "acme-corp" in html and "Jira" not in html


def test_a_viewer_does_not_get_the_connect_button_and_an_editor_does(viewer_client, editor_client):
    assert "Connect an integration" not in viewer_client.get(URL).content.decode()
    assert "Connect an integration" in editor_client.get(URL).content.decode()


def test_the_navigation_lists_integrations_after_the_keys(viewer_client):
    html = viewer_client.get(URL).content.decode()
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert nav.index("LLM keys") < nav.index("Integrations") < nav.index("Audit log")
    assert 'aria-current="page" data-shortcut="g i">Integrations' in nav


def test_a_failing_list_shows_a_clear_message_not_a_crash(viewer_client, sandbox):
    sandbox.faults.add(r"/integrations/$", status=500)
    response = viewer_client.get(URL)
    assert response.status_code == 502
    assert "PostHog had an internal error (HTTP 500)" in response.content.decode()
    response = viewer_client.get(URL, headers=REGION)
    assert b"<html" not in response.content
    assert b"PostHog had an internal error" in response.content


def test_an_empty_project_explains_what_integrations_are(editor_client, sandbox):
    sandbox.state.integrations.clear()
    html = editor_client.get(URL).content.decode()
    assert "No integrations yet" in html
    assert 'href="/sandbox/integrations/connect/"' in html
