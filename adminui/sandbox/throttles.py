"""PostHog's throttles for the sandbox's endpoints (docs/posthog-contract.md §1.6).

PostHog runs DRF's throttles after authentication and permissions (`APIView.initial`). Every
view gets `DEFAULT_THROTTLE_CLASSES` (`posthog/settings/web.py`): `BurstRateThrottle` 480/minute
and `SustainedRateThrottle` 4800/hour, counted per personal API key (a hash of it) under one
scope each, so **every endpoint spends the same two budgets**. A view with its own
`get_throttles()` replaces them: the evaluation summary spends only the summarization budgets
(50/minute, 200/hour, 500/day), which PostHog's other LLM summarization endpoints share.

Like DRF's `SimpleRateThrottle`, each throttle keeps a history of request times per budget; every
throttle that allows a request records it, even when another one refuses it; the refusal is a
429 `throttled_error` whose detail gives the wait ("Expected available in N seconds."). PostHog's
exception handler (drf-exceptions-hog) drops DRF's `Retry-After` header, so neither sends one.

The rates are PostHog's, far above what one test makes against a freshly reset sandbox. The
`throttle_rates` switch overrides a scope's rate (`{"burst": "3/minute"}`) and `throttles=False`
turns them off, as PostHog's `RATE_LIMIT_ENABLED` instance setting does.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass

from adminui.sandbox.api import Request, hog_error

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Throttle:
    """One of `posthog/rate_limit.py`'s classes: its scope (the budget's name) and rate."""

    scope: str
    rate: str  # DRF's "<count>/<period>", e.g. "480/minute"

    def limit(self, rates: dict[str, str]) -> tuple[int, int]:
        """(requests, seconds), with the sandbox's override for this scope if any."""
        count, period = rates.get(self.scope, self.rate).split("/")
        return int(count), _PERIODS[period[0]]


DEFAULT_THROTTLES = (Throttle("burst", "480/minute"), Throttle("sustained", "4800/hour"))
SUMMARIZATION_THROTTLES = (
    Throttle("llm_analytics_summarization_burst", "50/minute"),
    Throttle("llm_analytics_summarization_sustained", "200/hour"),
    Throttle("llm_analytics_summarization_daily", "500/day"),
)

# Views whose get_throttles() replaces the defaults: (method, path under the project) -> classes.
OWN_THROTTLES: tuple[tuple[str, str, tuple[Throttle, ...]], ...] = (
    # products/ai_observability/backend/api/evaluation_summary.py
    ("POST", r"llm_analytics/evaluation_summary", SUMMARIZATION_THROTTLES),
)


def throttles_for(method: str, rest: str) -> tuple[Throttle, ...]:
    """The throttles PostHog applies to this endpoint (`rest` is the path after the project)."""
    for own_method, pattern, throttles in OWN_THROTTLES:
        if method == own_method and re.fullmatch(pattern, rest):
            return throttles
    return DEFAULT_THROTTLES


def check_throttles(request: Request, throttles: tuple[Throttle, ...]) -> None:
    """Count this request against each budget; raise PostHog's 429 if any is spent."""
    switches = request.state.switches
    if not switches.throttles:
        return
    assert request.api_key is not None
    # PersonalApiKeyRateThrottle.get_cache_key: the scope and a hash of the key.
    identity = hashlib.sha256(request.api_key.value.encode()).hexdigest()
    now, waits = time.time(), []
    for throttle in throttles:
        limit, seconds = throttle.limit(switches.throttle_rates)
        history = request.state.throttle_history.setdefault(f"{throttle.scope}:{identity}", [])
        while history and history[-1] <= now - seconds:
            history.pop()
        if len(history) >= limit:
            waits.append(seconds - (now - history[-1]) if history else seconds)
        else:
            history.insert(0, now)
    if waits:
        wait = math.ceil(max(waits))
        unit = "second" if wait == 1 else "seconds"
        detail = f"Request was throttled. Expected available in {wait} {unit}."
        raise hog_error(429, "throttled_error", "throttled", detail)
