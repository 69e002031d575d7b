"""gather (adminui/web/concurrency.py): each call on a thread of its own, which closes its own
database connections when the call ends; a call made on the request's thread keeps the
request's connections open."""

from __future__ import annotations

import threading

from adminui.web import concurrency


def closing_threads(monkeypatch) -> list[int]:
    closed_on: list[int] = []
    monkeypatch.setattr(
        concurrency.connections, "close_all", lambda: closed_on.append(threading.get_ident())
    )
    return closed_on


def test_each_gathered_call_closes_its_own_threads_connections(monkeypatch):
    closed_on = closing_threads(monkeypatch)
    outcomes = concurrency.gather({"a": lambda: 1, "b": lambda: 2})
    assert {name: outcome.value for name, outcome in outcomes.items()} == {"a": 1, "b": 2}
    assert len(closed_on) == 2 and threading.get_ident() not in closed_on


def test_a_call_on_the_callers_thread_leaves_its_connections_open(monkeypatch):
    closed_on = closing_threads(monkeypatch)
    assert concurrency.outcome_of(lambda: 3).value == 3
    assert closed_on == []
