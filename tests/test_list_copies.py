"""Re-filtering a list reads the portal's short-lived copy of PostHog's answer, not PostHog;
the portal's own writes drop the copy, the list says how old it is, and Refresh reads again."""

from __future__ import annotations

import time
from types import SimpleNamespace

from adminui.sandbox import demo
from tests.conftest import HTMX, listed_key_names, validate_in_the_background

KEYS = "/sandbox/keys/"
EVALUATIONS = "/sandbox/evaluations/"
INTEGRATIONS = "/sandbox/integrations/"


def key_reads(sandbox) -> int:
    return len(sandbox.received(r"/provider_keys/$", "GET"))


def test_searching_sorting_and_paging_the_key_list_again_asks_posthog_nothing(
    viewer_client, sandbox
):
    viewer_client.get(KEYS)
    sandbox.requests.clear()
    assert listed_key_names(viewer_client.get(KEYS, {"q": "openai"})) == [
        "Production OpenAI",
        "Staging OpenAI",
    ]
    viewer_client.get(KEYS, {"o": "-created"}, headers=HTMX)
    viewer_client.get(KEYS, {"page_size": 5, "page": 2})
    assert sandbox.received(r"^/api/") == []


def test_the_first_load_costs_one_read_of_each_list(viewer_client, sandbox):
    viewer_client.get(KEYS)
    assert key_reads(sandbox) == 1
    assert len(sandbox.received(r"/evaluation_config/", "GET")) == 1


def test_a_key_the_portal_validates_drops_the_copy(editor_client, sandbox):
    viewer_page = editor_client.get(KEYS)
    assert viewer_page.status_code == 200
    editor_client.post(f"{KEYS}{demo.KEY_CLAUDE}/validate/")
    before = key_reads(sandbox)
    editor_client.get(KEYS)
    assert key_reads(sandbox) == before + 1


def test_a_background_write_drops_the_copy_too(viewer_client, editor, sandbox):
    viewer_client.get(KEYS)
    validate_in_the_background(editor, demo.KEY_CLAUDE)
    before = key_reads(sandbox)
    viewer_client.get(KEYS)
    assert key_reads(sandbox) == before + 1


def test_a_failed_write_drops_the_copy_as_it_may_have_applied(editor_client, sandbox):
    editor_client.get(KEYS)
    sandbox.faults.add("validate", status=500)
    editor_client.post(f"{KEYS}{demo.KEY_CLAUDE}/validate/")
    before = key_reads(sandbox)
    editor_client.get(KEYS)
    assert key_reads(sandbox) == before + 1


def test_the_list_says_how_old_its_copy_is(viewer_client, monkeypatch):
    assert "As of 0 s ago" in viewer_client.get(KEYS).content.decode()
    later = time.time() + 42
    monkeypatch.setattr("adminui.web.listcopy.time", SimpleNamespace(time=lambda: later))
    content = viewer_client.get(KEYS, {"q": "openai"}).content.decode()
    assert "As of 42 s ago" in content
    assert 'href="?q=openai&amp;refresh=1"' in content


def test_refresh_reads_posthog_again_and_links_on_the_page_do_not_keep_it(viewer_client, sandbox):
    viewer_client.get(KEYS)
    sandbox.state.provider_keys.pop(demo.KEY_CLAUDE)  # changed in PostHog itself
    assert "Claude judges" in listed_key_names(viewer_client.get(KEYS))
    response = viewer_client.get(KEYS, {"refresh": 1, "o": "name"})
    assert "Claude judges" not in listed_key_names(response)
    # Only the Refresh link (its href and hx-get) asks for another read.
    assert response.content.decode().count("refresh=1") == 2


def test_the_copy_expires_after_its_configured_age(viewer_client, sandbox, settings):
    from datetime import timedelta

    settings.LIST_CACHE_MAX_AGE = timedelta(seconds=0.2)
    viewer_client.get(KEYS)
    time.sleep(0.3)
    viewer_client.get(KEYS)
    assert key_reads(sandbox) == 2


def test_each_distinct_evaluations_query_is_its_own_copy(viewer_client, sandbox):
    viewer_client.get(EVALUATIONS)
    viewer_client.get(EVALUATIONS, {"q": "toxic"})
    reads = len(sandbox.received(r"/evaluations/$", "GET"))
    assert reads == 2
    viewer_client.get(EVALUATIONS, {"q": "toxic"}, headers=HTMX)
    viewer_client.get(EVALUATIONS)
    assert len(sandbox.received(r"/evaluations/$", "GET")) == reads
    assert "As of" in viewer_client.get(EVALUATIONS).content.decode()


def test_re_filtering_the_integrations_list_asks_posthog_nothing(viewer_client, sandbox):
    viewer_client.get(INTEGRATIONS)
    sandbox.requests.clear()
    response = viewer_client.get(INTEGRATIONS, {"q": "git", "o": "-created"})
    assert response.status_code == 200 and "As of" in response.content.decode()
    assert sandbox.received(r"^/api/") == []
    viewer_client.get(INTEGRATIONS, {"refresh": 1})
    assert len(sandbox.received(r"/integrations/$", "GET")) == 1


def test_a_failed_read_is_never_copied(viewer_client, sandbox):
    sandbox.faults.add("provider_keys", status=500)
    assert viewer_client.get(KEYS).status_code != 200
    sandbox.faults.clear()
    assert viewer_client.get(KEYS).status_code == 200
