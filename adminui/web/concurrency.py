"""Run independent PostHog calls at the same time, each failing on its own.

A page made of several cards costs about one PostHog round trip instead of the sum of them,
and one failing call breaks only its own card.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connections

from adminui.posthog import PostHogError
from adminui.web.failures import hint_for


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: PostHogError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def hint(self) -> str:
        return hint_for(self.error) if self.error else ""


def outcome_of(call: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=call())
    except PostHogError as error:
        return Outcome(error=error)


def _in_its_own_thread(call: Callable[[], Any]) -> Outcome:
    try:
        return outcome_of(call)
    finally:
        # A call may touch the database (the client stores an API prefix move): close this
        # short-lived thread's connections rather than leave them to the garbage collector.
        # Only here: on the request's own thread that would close its connection mid-request.
        connections.close_all()


def gather(calls: dict[str, Callable[[], Any]]) -> dict[str, Outcome]:
    """Call each function in its own thread; PostHog errors become that call's Outcome.error.

    Each thread runs in a copy of the caller's context, so a web request's time budget and
    patience (`adminui.posthog.retries`), its request id and its PostHog call count
    (`adminui.ops.requestlog`) hold for its calls too."""
    with ThreadPoolExecutor(max_workers=max(len(calls), 1)) as pool:
        futures = {
            name: pool.submit(contextvars.copy_context().run, _in_its_own_thread, call)
            for name, call in calls.items()
        }
        return {name: future.result() for name, future in futures.items()}
