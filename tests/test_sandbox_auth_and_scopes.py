"""The sandbox authenticates, scopes, routes and pages like PostHog, over real loopback HTTP."""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from adminui.sandbox import demo
from tests.conftest import AUTH, bearer

KEYS = "llm_analytics/provider_keys/"


def test_it_answers_a_request_without_credentials_with_not_authenticated(sandbox):
    response = requests.get(sandbox.api_url(KEYS))

    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "attr": None,
    }
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer resource_metadata="{sandbox.url}/.well-known/oauth-protected-resource"'
    )


def test_it_rejects_an_unknown_key_with_authentication_failed(sandbox):
    response = requests.get(sandbox.api_url(KEYS), headers=bearer("phx_not_a_real_key"))

    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "authentication_failed",
        "detail": "Personal API key found in request Authorization header is invalid.",
        "attr": None,
    }


def test_it_names_the_query_string_when_the_unknown_key_came_from_there(sandbox):
    response = requests.get(sandbox.api_url(KEYS), params={"personal_api_key": "phx_nope"})

    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Personal API key found in request query string is invalid."
    )


def test_it_never_honours_a_project_token_in_the_query_string(sandbox):
    response = requests.get(sandbox.api_url(KEYS), params={"token": "phc_project_token"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_rejects_a_key_without_the_read_scope(sandbox):
    sandbox.add_api_key("phx_only_integrations", ["integration:read"])

    response = requests.get(sandbox.api_url(KEYS), headers=bearer("phx_only_integrations"))

    assert response.status_code == 403
    assert response.json() == {
        "type": "authentication_error",
        "code": "permission_denied",
        "detail": "API key missing required scope 'llm_provider_key:read'",
        "attr": None,
    }


def test_a_write_scope_satisfies_the_read_scope(sandbox):
    sandbox.add_api_key("phx_key_writer", ["llm_provider_key:write"])

    response = requests.get(sandbox.api_url(KEYS), headers=bearer("phx_key_writer"))

    assert response.status_code == 200


def test_a_read_scope_does_not_allow_writes(sandbox):
    sandbox.add_api_key("phx_key_reader", ["llm_provider_key:read"])

    response = requests.post(
        sandbox.api_url(KEYS), headers=bearer("phx_key_reader"), json={"name": "x"}
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'llm_provider_key:write'"


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", f"{KEYS}{demo.KEY_CLAUDE}/dependent_configs/", "llm_provider_key:read"),
        ("POST", f"{KEYS}{demo.KEY_CLAUDE}/validate/", "llm_provider_key:write"),
        ("DELETE", f"{KEYS}{demo.KEY_CLAUDE}/", "llm_provider_key:write"),
        ("POST", "llm_analytics/provider_key_validations/", "llm_provider_key:write"),
        ("GET", "llm_analytics/evaluation_config/", "llm_analytics:read"),
        ("POST", "llm_analytics/evaluation_config/set_active_key/", "evaluation:write"),
        ("GET", "llm_analytics/models/", "llm_analytics:read"),
        ("POST", "llm_analytics/evaluation_summary/", "llm_analytics:write"),
        ("GET", "evaluations/", "evaluation:read"),
        ("GET", f"integrations/{demo.GITHUB_INTEGRATION_ID}/github_repos/", "integration:read"),
        ("GET", f"integrations/{demo.SLACK_INTEGRATION_ID}/channels/", "integration:read"),
    ],
)
def test_each_endpoint_asks_for_its_newest_scope(sandbox, method, path, scope):
    sandbox.add_api_key("phx_no_scopes", [])

    response = requests.request(method, sandbox.api_url(path), headers=bearer("phx_no_scopes"))

    assert response.status_code == 403
    assert response.json()["detail"] == f"API key missing required scope '{scope}'"


def test_it_refuses_a_key_restricted_to_other_projects(sandbox):
    sandbox.add_api_key("phx_other_project", ["*"], project_ids=[1])

    response = requests.get(sandbox.api_url(KEYS), headers=bearer("phx_other_project"))

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"API key does not have access to the requested project: ID {demo.DEMO_PROJECT_ID}."
    )


def test_it_does_not_know_other_projects(sandbox):
    response = requests.get(sandbox.api_url(KEYS, project=1), headers=AUTH)

    assert response.status_code == 404
    assert response.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Project not found.",
        "attr": None,
    }


def test_current_names_the_demo_project(sandbox):
    response = requests.get(sandbox.api_url(KEYS, project="@current"), headers=AUTH)

    assert response.status_code == 200


def test_the_trailing_slash_is_optional(sandbox):
    response = requests.get(sandbox.api_url(KEYS.rstrip("/")), headers=AUTH)

    assert response.status_code == 200


def test_it_answers_405_for_a_method_the_endpoint_lacks(sandbox):
    response = requests.put(sandbox.api_url(KEYS), headers=AUTH, json={})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_environments_responses_say_they_are_deprecated(sandbox):
    url = sandbox.api_url(KEYS, prefix="environments") + "?limit=2"

    response = requests.get(url, headers=AUTH)

    assert response.status_code == 200
    assert response.headers["Deprecation"] == "true"
    assert response.headers["Link"] == (
        f'</api/projects/{demo.DEMO_PROJECT_ID}/{KEYS}?limit=2>; rel="successor-version"'
    )
    assert response.headers["Sunset"] == "Fri, 31 Jul 2026 00:00:00 GMT"


def test_environments_errors_say_they_are_deprecated_too(sandbox):
    response = requests.get(sandbox.api_url(KEYS, prefix="environments"))

    assert response.status_code == 401
    assert response.headers["Deprecation"] == "true"


def test_projects_responses_carry_no_deprecation_headers(sandbox):
    response = requests.get(sandbox.api_url(KEYS), headers=AUTH)

    assert not {"Deprecation", "Link", "Sunset"} & set(response.headers)


def test_an_older_posthog_serves_the_alias_without_deprecation_headers(sandbox):
    sandbox.switch(environments_alias="plain")
    response = requests.get(sandbox.api_url(KEYS, prefix="environments"), headers=AUTH)

    assert response.status_code == 200
    assert not {"Deprecation", "Link", "Sunset"} & set(response.headers)


def test_once_the_alias_is_gone_only_projects_answers(sandbox):
    sandbox.switch(environments_alias="gone")
    gone = requests.get(sandbox.api_url(KEYS, prefix="environments"), headers=AUTH)
    projects = requests.get(sandbox.api_url(KEYS), headers=AUTH)

    assert gone.status_code == 404
    assert gone.json() == {
        "type": "invalid_request",
        "code": "not_found",
        "detail": "Endpoint not found.",
        "attr": None,
    }
    assert projects.status_code == 200


def test_the_alias_switch_takes_only_the_behaviours_it_knows(sandbox):
    with pytest.raises(ValueError, match="environments_alias must be one of"):
        sandbox.switch(environments_alias="sometimes")


def test_it_pages_with_absolute_next_and_previous_urls(sandbox):
    first = requests.get(sandbox.api_url(KEYS), params={"limit": 4}, headers=AUTH).json()
    second = requests.get(first["next"], headers=AUTH).json()
    last = requests.get(second["next"], headers=AUTH).json()

    assert first["count"] == 10
    assert first["previous"] is None
    assert first["next"] == sandbox.api_url(KEYS) + "?limit=4&offset=4"
    assert second["previous"] == sandbox.api_url(KEYS) + "?limit=4"
    assert last["next"] is None
    assert last["previous"] == sandbox.api_url(KEYS) + "?limit=4&offset=4"
    ids = [key["id"] for page in (first, second, last) for key in page["results"]]
    assert len(set(ids)) == 10


def test_it_builds_next_urls_from_the_request_host(sandbox):
    port = urlsplit(sandbox.url).port
    url = f"http://localhost:{port}/api/projects/{demo.DEMO_PROJECT_ID}/{KEYS}?limit=5"

    page = requests.get(url, headers=AUTH).json()

    assert page["next"].startswith(f"http://localhost:{port}/api/projects/")


def test_it_records_requests_for_tests_to_inspect(sandbox):
    requests.post(
        sandbox.api_url("llm_analytics/models/") + "?provider=openai",
        headers={**AUTH, "User-Agent": "adminui-tests"},
        json={"hello": "world"},
    )

    method, path, headers, body = sandbox.requests[-1]
    assert (method, path) == (
        "POST",
        f"/api/projects/{demo.DEMO_PROJECT_ID}/llm_analytics/models/?provider=openai",
    )
    assert headers["User-Agent"] == "adminui-tests"
    assert body == b'{"hello": "world"}'


def test_it_keeps_a_connection_alive_between_requests(sandbox):
    parts = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    path = urlsplit(sandbox.api_url(KEYS)).path
    try:
        for _ in range(3):
            connection.request("GET", path, headers=AUTH)
            response = connection.getresponse()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(response.read())
    finally:
        connection.close()


def test_it_serves_many_requests_at_once(sandbox):
    def fetch(_: int) -> int:
        return requests.get(sandbox.api_url(KEYS), headers=AUTH, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(fetch, range(64)))

    assert statuses == [200] * 64
