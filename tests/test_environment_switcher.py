"""The header's environment switcher keeps you on the same screen in another environment, and
every screen of an environment names it: title, header label in its colour, breadcrumbs."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from adminui.accounts.models import EnvironmentRole
from adminui.sandbox import demo
from tests.two_environments import installed, production_and_staging


@pytest.fixture
def two(sandbox):
    with installed(*production_and_staging(sandbox)) as environments:
        yield environments


def switcher(html: str) -> str:
    start = html.index('<details class="env-switcher">')
    return html[start : html.index("</details>", start)]


def links(html: str) -> dict[str, str]:
    """The switcher's links by the name they show."""
    return {
        re.sub(r"<[^>]+>", "", label).strip(): href
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', switcher(html), re.S)
    }


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_key_list_switches_to_the_key_list_of_the_other_environment(viewer_client, two):
    html = viewer_client.get("/prod/keys/?provider=openai&state=ok").content.decode()
    assert links(html)["Staging"] == "/staging/keys/?provider=openai&amp;state=ok"
    assert links(html)["Production"] == "/prod/keys/?provider=openai&amp;state=ok"
    assert 'href="/prod/keys/?provider=openai&amp;state=ok" aria-current="true"' in html


def test_a_key_page_switches_to_the_other_environments_key_list(viewer_client, two):
    html = viewer_client.get(f"/prod/keys/{demo.KEY_AZURE}/").content.decode()
    assert links(html)["Staging"] == "/staging/keys/"


def test_an_evaluation_and_its_summaries_switch_to_the_evaluations_list(viewer_client, two):
    evaluation = f"/staging/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/"
    for path in (evaluation, f"{evaluation}summaries/"):
        assert links(viewer_client.get(path).content.decode())["Production"] == (
            "/prod/evaluations/"
        )


def test_screens_outside_an_environment_switch_to_their_counterpart(viewer_client, two):
    audit = viewer_client.get("/audit/").content.decode()
    assert links(audit)["Staging"] == "/audit/?environment=staging"
    assert links(viewer_client.get("/environments/").content.decode())["Staging"] == "/staging/"
    matrix = viewer_client.get("/environments/keys/").content.decode()
    assert links(matrix)["Staging"] == "/staging/keys/"
    alerts = viewer_client.get("/alerts/").content.decode()
    assert links(alerts)["Staging"] == "/staging/alerts/"


def test_the_menu_leads_to_all_environments_and_the_keys_matrix(viewer_client, two):
    found = links(viewer_client.get("/prod/").content.decode())
    assert found["All environments"] == "/environments/"
    assert found["Keys across environments"] == "/environments/keys/"


def test_the_title_names_the_environment(viewer_client, two):
    assert title(viewer_client.get("/prod/keys/").content.decode()) == (
        "LLM provider keys · Production · adminui"
    )
    assert title(viewer_client.get("/environments/").content.decode()) == (
        "All environments · adminui"
    )


def test_the_header_label_has_the_environments_colour(viewer_client, two):
    summary = switcher(viewer_client.get("/prod/").content.decode()).split("</summary>")[0]
    assert "env-tinted env-colour-red" in summary and "Production" in summary
    staging = switcher(viewer_client.get("/staging/").content.decode()).split("</summary>")[0]
    assert "env-colour" not in staging and "Staging" in staging


def test_breadcrumbs_start_with_the_environment(viewer_client, two):
    for path in (
        "/prod/",
        "/prod/keys/",
        f"/prod/keys/{demo.KEY_AZURE}/",
        "/prod/evaluations/",
        f"/prod/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/",
        "/prod/integrations/",
        f"/prod/integrations/{demo.SLACK_INTEGRATION_ID}/",
        "/prod/models/",
    ):
        html = viewer_client.get(path).content.decode()
        crumbs = html[html.index('<ol class="breadcrumbs">') :]
        first = crumbs[: crumbs.index("</li>")]
        assert 'href="/prod/"' in first and "env-colour-red" in first and "Production" in first, (
            path
        )


def test_with_one_environment_there_is_no_menu_but_the_label_shows(viewer_client):
    html = viewer_client.get("/sandbox/keys/").content.decode()
    assert '<details class="env-switcher">' not in html
    assert 'class="env-badge"' in html and "Sandbox" in html


def test_only_environments_the_user_may_see_are_offered(viewer_client, viewer, sandbox):
    prod, staging = production_and_staging(sandbox)
    qa = replace(prod, slug="qa", name="QA", colour="")
    EnvironmentRole.objects.create(user=viewer, environment="qa", role="none")
    with installed(prod, staging, qa):
        html = viewer_client.get("/prod/").content.decode()
    assert set(links(html)) == {
        "Production",
        "Staging",
        "All environments",
        "Keys across environments",
    }
