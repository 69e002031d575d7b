"""The personal API key goes to the configured PostHog only, whatever a `next` link says."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from adminui.posthog import PostHogBadResponse, PostHogClient
from adminui.sandbox import demo

KEYS_PATH = f"/api/environments/{demo.DEMO_PROJECT_ID}/llm_analytics/provider_keys/"


class Listener:
    """A TCP server on loopback that records every byte anyone sends it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.received = b""
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(TimeoutError):
                    self.received += connection.recv(65536)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def tricky_links(sandbox, listener: Listener) -> list[str]:
    """Links `urlsplit` reads as the sandbox while urllib3 would connect to the listener, and
    other two-faced shapes."""
    here = sandbox.url.removeprefix("http://")
    there = f"127.0.0.1:{listener.port}"
    return [
        f"http://{there}\\@{here}{KEYS_PATH}?offset=1",  # the audit's link
        f"http://localhost:{listener.port}\\@{here}{KEYS_PATH}?offset=1",
        f"http://{there}%5C@{here}{KEYS_PATH}?offset=1",
        f"http://user:pass@{here}{KEYS_PATH}?offset=1",  # userinfo becomes Basic auth
        f"http://{here}\\{KEYS_PATH}?offset=1",
        f"http://{there}\t@{here}{KEYS_PATH}?offset=1",
        f"http://{here}{KEYS_PATH}?offset=1\r\nHost: {there}",
    ]


@pytest.mark.parametrize("index", range(7))
def test_a_next_link_that_parsers_read_two_ways_is_refused_and_nothing_reaches_the_other_host(
    sandbox, listener, index
):
    link = tricky_links(sandbox, listener)[index]
    body = {"count": 2, "next": link, "previous": None, "results": []}
    sandbox.faults.add("provider_keys", status=200, body=body, times=1)
    client = PostHogClient(
        host=sandbox.url, personal_api_key=demo.DEMO_PERSONAL_API_KEY, project_id=4242
    )
    with pytest.raises(PostHogBadResponse):
        client.list_provider_keys()
    assert listener.connections == 0 and listener.received == b""
    assert len(sandbox.received("provider_keys")) == 1


def test_the_key_list_says_what_went_wrong_and_the_key_stays_home(viewer_client, sandbox, listener):
    link = tricky_links(sandbox, listener)[0]
    body = {"count": 2, "next": link, "previous": None, "results": []}
    sandbox.faults.add("provider_keys", status=200, body=body)
    response = viewer_client.get("/sandbox/keys/")
    assert response.status_code == 502
    assert "ambiguous link" in response.content.decode()
    assert listener.received == b""


def test_a_next_link_on_the_configured_origin_is_sent_there_with_its_path_and_query(sandbox):
    client = PostHogClient(
        host=sandbox.url,
        personal_api_key=demo.DEMO_PERSONAL_API_KEY,
        project_id=demo.DEMO_PROJECT_ID,
        page_size=3,
    )
    keys = client.list_provider_keys()
    assert len(keys) == len(sandbox.state.provider_keys) > 3  # more than one page
    offsets = [request.target for request in sandbox.received("provider_keys")]
    assert any("offset=3" in target for target in offsets)
