"""POSTHOG_API_PREFIX: `auto` follows PostHog from /api/environments/ to /api/projects/ and keeps
it there; `environments` and `projects` pin the prefix. Against each sandbox behaviour: the alias
with PostHog's Deprecation/Link/Sunset headers (newest), the alias without them (older), and the
alias gone (404, only /api/projects/)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from adminui.models import ApiPrefixMove
from adminui.posthog import PostHogNotFound, clear_caches, get_client, get_environment
from adminui.sandbox import demo

pytestmark = pytest.mark.django_db

KEYS = r"llm_analytics/provider_keys/$"
ENVIRONMENTS = f"/api/environments/{demo.DEMO_PROJECT_ID}/"
PROJECTS = f"/api/projects/{demo.DEMO_PROJECT_ID}/"


def prefixes_called(sandbox, path_regex: str = KEYS) -> list[str]:
    return [request.path.split("/")[2] for request in sandbox.received(path_regex)]


def successor_headers(link: str) -> dict[str, str]:
    return {
        "Deprecation": "true",
        "Link": f'<{link}>; rel="successor-version"',
        "Sunset": "Fri, 31 Jul 2026 00:00:00 GMT",
    }


# auto, against the newest PostHog ----------------------------------------------------------------


def test_auto_starts_on_the_documented_path_and_moves_when_posthog_names_the_successor(sandbox):
    client = get_client()
    assert client.base_path == ENVIRONMENTS
    client.list_provider_keys()
    client.list_provider_keys()
    assert prefixes_called(sandbox) == ["environments", "projects"]
    assert client.base_path == PROJECTS
    assert client.deprecation.sunset.date().isoformat() == "2026-07-31"


def test_the_move_is_stored_for_the_environments_slug_host_and_project(sandbox):
    get_client().list_provider_keys()
    move = ApiPrefixMove.objects.get()
    assert (move.environment, move.host, move.project_id) == (
        "sandbox",
        sandbox.url,
        demo.DEMO_PROJECT_ID,
    )
    assert (move.prefix, move.reason) == ("projects", "announced")


def test_a_new_client_starts_on_the_successor_and_never_asks_the_alias_again(sandbox):
    get_client().list_provider_keys()
    clear_caches()  # what a restart or another instance sees: only the database
    sandbox.requests.clear()
    client = get_client()
    assert client.base_path == PROJECTS
    client.list_provider_keys()
    assert prefixes_called(sandbox) == ["projects"]


def test_a_move_stored_for_another_posthog_does_not_count(sandbox):
    ApiPrefixMove.objects.create(
        environment="sandbox",
        host="https://eu.posthog.com",
        project_id=demo.DEMO_PROJECT_ID,
        prefix="projects",
        reason="announced",
    )
    assert get_client().base_path == ENVIRONMENTS


def test_a_successor_on_another_server_is_recorded_but_not_followed(sandbox):
    link = f"https://posthog.example{PROJECTS}llm_analytics/provider_keys/"
    sandbox.faults.add(KEYS, status=200, body={"results": []}, headers=successor_headers(link))
    client = get_client()
    client.list_provider_keys()
    assert client.deprecation.successor == link
    assert client.base_path == ENVIRONMENTS
    assert not ApiPrefixMove.objects.exists()


def test_a_successor_for_another_project_is_not_followed(sandbox):
    link = "/api/projects/9999/llm_analytics/provider_keys/"
    sandbox.faults.add(KEYS, status=200, body={"results": []}, headers=successor_headers(link))
    client = get_client()
    client.list_provider_keys()
    assert client.base_path == ENVIRONMENTS


# auto, against older PostHogs ------------------------------------------------------------------


def test_without_an_announcement_auto_stays_on_the_documented_path(sandbox):
    sandbox.switch(environments_alias="plain")
    client = get_client()
    client.list_provider_keys()
    client.list_provider_keys()
    assert prefixes_called(sandbox) == ["environments", "environments"]
    assert client.deprecation is None and not ApiPrefixMove.objects.exists()


def test_when_the_alias_is_gone_the_same_call_goes_to_the_successor_once(sandbox):
    sandbox.switch(environments_alias="gone")
    client = get_client()
    assert client.list_provider_keys()
    assert prefixes_called(sandbox) == ["environments", "projects"]
    assert ApiPrefixMove.objects.get().reason == "alias_gone"


def test_a_write_refused_by_a_gone_alias_is_sent_to_the_successor_exactly_once(sandbox):
    sandbox.switch(environments_alias="gone")
    get_client().delete_provider_key(demo.KEY_TOGETHER)
    deletes = sandbox.received(demo.KEY_TOGETHER, "DELETE")
    assert [request.path.split("/")[2] for request in deletes] == ["environments", "projects"]
    assert demo.KEY_TOGETHER not in sandbox.state.provider_keys


# Other threads store the move on their own connections: on PostgreSQL it is committed, and
# only a flush (transaction=True) keeps it from the next test.
@pytest.mark.django_db(transaction=True)
def test_calls_in_flight_when_the_alias_is_found_gone_all_reach_the_successor(sandbox):
    sandbox.switch(environments_alias="gone")
    sandbox.faults.add(r"^/api/environments/", latency=0.2)  # both are sent before either moves
    client = get_client()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: client.list_provider_keys(), range(2)))
    assert all(answers)
    assert sorted(prefixes_called(sandbox)) == ["environments"] * 2 + ["projects"] * 2
    # SQLite's in-memory test database takes writes only from this thread: there the move
    # waits for the next get_client(), which a request's own thread makes.
    get_client()
    assert ApiPrefixMove.objects.get().reason == "alias_gone"


def test_a_real_not_found_on_the_alias_does_not_move(sandbox):
    sandbox.switch(environments_alias="plain")
    with pytest.raises(PostHogNotFound):
        get_client().get_provider_key("00000000-0000-4000-8000-000000000000")
    assert get_client().base_path == ENVIRONMENTS


# Pinned prefixes -------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["deprecated", "plain"])
def test_a_prefix_pinned_to_the_alias_never_moves(sandbox, settings, alias):
    settings.POSTHOG_API_PREFIX = "environments"
    sandbox.switch(environments_alias=alias)
    client = get_client()
    client.list_provider_keys()
    client.list_provider_keys()
    assert prefixes_called(sandbox) == ["environments", "environments"]
    assert not ApiPrefixMove.objects.exists()


def test_a_prefix_pinned_to_the_alias_fails_plainly_once_the_alias_is_gone(sandbox, settings):
    settings.POSTHOG_API_PREFIX = "environments"
    sandbox.switch(environments_alias="gone")
    with pytest.raises(PostHogNotFound):
        get_client().list_provider_keys()
    assert prefixes_called(sandbox) == ["environments"]


@pytest.mark.parametrize("alias", ["deprecated", "plain", "gone"])
def test_a_prefix_pinned_to_projects_never_calls_the_alias(sandbox, settings, alias):
    settings.POSTHOG_API_PREFIX = "projects"
    sandbox.switch(environments_alias=alias)
    get_client().list_provider_keys()
    assert prefixes_called(sandbox) == ["projects"]
    assert get_client().deprecation is None


def test_a_pinned_prefix_ignores_a_stored_move(sandbox, settings):
    get_client().list_provider_keys()
    settings.POSTHOG_API_PREFIX = "environments"
    assert get_client().base_path == ENVIRONMENTS
    assert get_environment().follows_posthog_prefix is False


@pytest.mark.django_db(transaction=True)  # the page's calls run in threads of their own
def test_a_move_seen_by_a_pages_concurrent_calls_is_stored_by_the_page(viewer_client, sandbox):
    page = viewer_client.get("/sandbox/").content.decode()
    move = ApiPrefixMove.objects.get()
    assert move.reason == "announced"
    assert f"since {move.moved_at:%-d %B %Y}" in page
    sandbox.requests.clear()
    clear_caches()
    viewer_client.get("/sandbox/keys/")
    assert {request.path.split("/")[2] for request in sandbox.requests} == {"projects"}
