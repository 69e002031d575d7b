"""htmx swaps carry only the region that changes: a sort swaps the list's region, not the page;
opening a repository's branches swaps the branch panel, not every repository."""

from __future__ import annotations

import re

import pytest

from adminui.sandbox import demo
from tests.conftest import htmx_for

GITHUB = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("/sandbox/keys/", "key-region"),
        ("/sandbox/evaluations/", "evaluation-region"),
        ("/sandbox/integrations/", "integration-region"),
    ],
)
def test_a_sort_header_swaps_its_list_region_and_that_region_comes_back_alone(
    viewer_client, url, region
):
    page = viewer_client.get(url).content.decode()
    header = re.search(
        r'<th scope="col"[^>]*><a href="([^"]+)" hx-get="\1" hx-target="([^"]+)"', page
    )
    assert header and header[2] == f"#{region}"
    swap = viewer_client.get(url + header[1].replace("&amp;", "&"), headers=htmx_for(region))
    html = swap.content.decode()
    assert html.lstrip().startswith(f'<div id="{region}"') and "<html" not in html
    assert '<nav aria-label="Main">' not in html and "<search>" not in html  # no page chrome


def test_opening_a_repositorys_branches_swaps_only_the_branch_panel(viewer_client, sandbox):
    page = viewer_client.get(GITHUB).content.decode()
    link = re.search(r'href="([^"]*\?repo=[^"]+)" hx-get="([^"]+)" hx-target="#([\w-]+)"', page)
    assert link and link[3] == "panel-branches"
    response = viewer_client.get(link[2].replace("&amp;", "&"), headers=htmx_for(link[3]))
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel browser-panel" id="panel-branches"')
    assert 'id="panel-repositories"' not in html and "Branches of" in html
    page_url, fragment = link[1].replace("&amp;", "&").split("#")
    assert response["HX-Push-Url"] == page_url and fragment == "panel-branches"
    # Without JavaScript the same link opens the whole page with the branches shown.
    plain = viewer_client.get(page_url).content.decode()
    assert 'id="panel-repositories"' in plain and "Branches of" in plain
