"""A list PostHog cannot give keeps its page (heading, filters, actions), the error in the list."""

from __future__ import annotations

import pytest

from tests.conftest import HTMX

LISTS = [
    # (page, PostHog path that fails, heading, an action or filter the page keeps)
    ("/sandbox/keys/", "provider_keys", "<h1>LLM provider keys</h1>", ">Add key</a>"),
    ("/sandbox/evaluations/", r"/evaluations/?$", "<h1>Evaluations</h1>", 'name="q"'),
    ("/sandbox/integrations/", r"/integrations/$", "<h1>Integrations</h1>", ">Connect an"),
]


def region_of(page: str) -> str:
    """/sandbox/keys/ -> key-region, the id of the list's region."""
    return page.strip("/").split("/")[1].removesuffix("s") + "-region"


@pytest.mark.parametrize(("page", "path", "heading", "kept"), LISTS)
def test_a_failed_list_keeps_the_page_frame_and_shows_the_error_in_the_list(
    editor_client, sandbox, page, path, heading, kept
):
    sandbox.faults.add(path, method="GET", status=500, times=None)
    response = editor_client.get(page)
    content = response.content.decode()
    assert response.status_code == 502
    assert heading in content and kept in content
    region = content[content.index(f'<div id="{region_of(page)}"') :]
    assert 'class="panel panel-error" role="alert"' in region
    assert f'href="{page}" class="button button-secondary">Try again</a>' in region


@pytest.mark.parametrize(("page", "path", "heading", "kept"), LISTS)
def test_htmx_gets_the_error_inside_the_region_as_before(
    editor_client, sandbox, page, path, heading, kept
):
    sandbox.faults.add(path, method="GET", status=500, times=None)
    response = editor_client.get(page, headers=HTMX | {"HX-Target": region_of(page)})
    assert response.status_code == 502
    assert "<h1>" not in response.content.decode()
    assert response["HX-Reselect"] == "[role=alert]"
