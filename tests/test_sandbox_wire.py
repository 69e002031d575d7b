"""The sandbox answers like PostHog on the wire: one write per answer, TCP_NODELAY, so a
kept-alive client never waits for a delayed ACK."""

from __future__ import annotations

import socket
import time

import requests

from tests.conftest import AUTH

KEYS = "llm_analytics/provider_keys/"


def record_server_writes(monkeypatch, port: int) -> list[tuple[int, int]]:
    """Every write the sandbox's side of a connection makes: (bytes, TCP_NODELAY)."""
    writes: list[tuple[int, int]] = []
    original_send, original_sendall = socket.socket.send, socket.socket.sendall

    def note(sock: socket.socket, data) -> None:
        if sock.getsockname()[1] == port:
            writes.append((len(data), sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))

    def send(self, data, *args):
        note(self, data)
        return original_send(self, data, *args)

    def sendall(self, data, *args):
        note(self, data)
        return original_sendall(self, data, *args)

    monkeypatch.setattr(socket.socket, "send", send)
    monkeypatch.setattr(socket.socket, "sendall", sendall)
    return writes


def test_each_answer_leaves_in_one_write_with_tcp_nodelay(sandbox, monkeypatch):
    with requests.Session() as session:
        writes = record_server_writes(monkeypatch, sandbox.port)
        for _ in range(3):
            response = session.get(sandbox.api_url(KEYS), headers=AUTH, timeout=10)
            assert response.status_code == 200
    assert len(writes) == 3
    assert all(nodelay for _, nodelay in writes)
    assert writes[0][0] > len(response.content)  # headers and body together


def test_sequential_kept_alive_calls_do_not_wait_for_delayed_acks(sandbox):
    # A delayed ACK costs ~40 ms per answer; a sound answer takes a few ms even under load.
    with requests.Session() as session:
        session.get(sandbox.api_url(KEYS), headers=AUTH, timeout=10)
        means = []
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(10):
                session.get(sandbox.api_url(KEYS), headers=AUTH, timeout=10)
            means.append((time.perf_counter() - started) / 10)
    assert min(means) < 0.020
