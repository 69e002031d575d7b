"""The portal's links into PostHog's web app land, against the sandbox, on a page that says what
PostHog would show there, instead of a JSON 404."""

from __future__ import annotations

import html
import re

import requests

from adminui.sandbox import demo

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def open_in_browser(url: str) -> requests.Response:
    return requests.get(url, headers=BROWSER, timeout=10)


def links_into_posthog(page: str, sandbox) -> list[str]:
    return [
        html.unescape(href)
        for href in re.findall(r'href="([^"]+)"', page)
        if href.startswith(sandbox.url)
    ]


def says(response: requests.Response, text: str) -> bool:
    plain = re.sub(r"<[^>]+>", "", response.text)
    return text in plain


def test_open_in_posthog_on_an_evaluation_names_that_evaluation(viewer_client, sandbox):
    page = viewer_client.get(f"/sandbox/evaluations/{demo.EVAL_TONE}/").content.decode()
    landing = open_in_browser(
        next(link for link in links_into_posthog(page, sandbox) if demo.EVAL_TONE in link)
    )
    assert landing.status_code == 200
    assert landing.headers["Content-Type"].startswith("text/html")
    name = sandbox.state.evaluations[demo.EVAL_TONE].name
    assert says(
        landing, f"In PostHog this is the LLM analytics evaluation {demo.EVAL_TONE} “{name}”"
    )


def test_every_link_on_the_evaluations_list_and_an_integration_lands_on_a_page(
    viewer_client, sandbox
):
    pages = [
        viewer_client.get("/sandbox/evaluations/").content.decode(),
        viewer_client.get(
            f"/sandbox/integrations/{demo.BROKEN_LINEAR_INTEGRATION_ID}/"
        ).content.decode(),
    ]
    links = [link for page in pages for link in links_into_posthog(page, sandbox)]
    assert links
    for link in links:
        landing = open_in_browser(link)
        assert landing.status_code == 200, link
        assert says(landing, "In PostHog this is"), link


def test_reconnect_in_posthog_lands_on_the_integrations_settings(sandbox):
    landing = open_in_browser(f"{sandbox.url}/project/4242/settings/project-integrations")
    assert says(landing, "In PostHog this is the project's Integrations settings")


def test_a_generation_link_names_the_generation(sandbox):
    landing = open_in_browser(
        f"{sandbox.url}/project/4242/llm-analytics/generations?search=gen-123"
    )
    assert says(landing, "In PostHog this is the LLM analytics generation gen-123")


def test_connect_in_posthog_explains_what_a_logged_in_user_would_see(sandbox):
    url = (
        f"{sandbox.url}/api/projects/4242/integrations/authorize/"
        "?kind=slack&next=%2Fproject%2F4242%2Fsettings%2Fproject-integrations"
    )
    landing = open_in_browser(url)
    assert landing.status_code == 200
    assert says(landing, "where a logged-in PostHog user starts connecting slack")
    assert says(landing, "returns to /project/4242/settings/project-integrations")


def test_the_portals_own_api_calls_are_still_api_calls(sandbox):
    response = requests.get(
        f"{sandbox.url}/api/projects/4242/integrations/authorize/?kind=slack",
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_pages_are_not_recorded_as_api_requests(sandbox):
    open_in_browser(f"{sandbox.url}/project/4242/llm-analytics/evaluations")
    assert sandbox.received(r"/project/") == []


def test_another_project_or_an_unknown_page_is_an_html_404(sandbox):
    other = open_in_browser(f"{sandbox.url}/project/99/llm-analytics/evaluations")
    unknown = open_in_browser(f"{sandbox.url}/project/4242/dashboards")
    assert other.status_code == unknown.status_code == 404
    assert says(other, "there is no project 99 here")
    assert unknown.headers["Content-Type"].startswith("text/html")


def test_what_the_page_echoes_is_escaped(sandbox):
    landing = open_in_browser(
        f"{sandbox.url}/project/4242/llm-analytics/generations?search=%3Cscript%3E"
    )
    assert "<script>" not in landing.text and "&lt;script&gt;" in landing.text
