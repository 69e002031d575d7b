"""Addresses the portal does not know get its own 404 page, in DEBUG too."""

from __future__ import annotations

import pytest

from adminui.sandbox import demo


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_environment_slug_gets_the_portals_404_page(viewer_client, settings, debug):
    settings.DEBUG = debug
    response = viewer_client.get("/no-such-environment/keys/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "There is no environment “no-such-environment” in this portal." in content
    assert 'href="/sandbox/"' in content  # the environments there are
    assert "technical_404" not in content and "Django tried these URL patterns" not in content


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_address_in_a_known_environment_gets_the_portals_404_page(
    viewer_client, settings, debug
):
    settings.DEBUG = debug
    response = viewer_client.get("/sandbox/no-such-screen/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "address",
    [
        f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/no-such-list/",
        f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/no-such-list/export.csv",
        f"/sandbox/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/summaries/999999/",
    ],
)
def test_a_nested_address_a_route_matches_but_nothing_answers_gets_the_portals_404_page(
    viewer_client, settings, debug, address
):
    settings.DEBUG = debug
    response = viewer_client.get(address)
    content = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing at this address." in content
    assert "technical_404" not in content and "Raised by:" not in content
