"""A short-lived copy of the lists PostHog returned, so re-filtering a list costs no round trip.

The key list, the evaluations list and the integration lists search, filter, sort and page
what PostHog sent; they read it through `gather_copied`, which keeps each answer in Django's
cache (Redis in production, shared by every instance; local memory in the demo) for
`LIST_CACHE_MAX_AGE`, keyed by the environment (slug, host, project, API prefix) and the query
sent to PostHog (PostHog filters the evaluations list, so each distinct query is its own copy).

Every write the portal makes goes through `adminui.audit.service`, which calls `invalidate`:
that moves the environment to a new generation, so every copy made before the write is
never read again (whichever instance made it, and even if a read was in flight). Pages say
how old their copy is and offer `?refresh=1`, which reads PostHog again.

Only what the lists show is kept: provider keys come masked from PostHog; no secret is cached.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict

from adminui.ops.cache import current_generation, next_generation
from adminui.posthog import PostHogEnvironment
from adminui.web.concurrency import Outcome, gather

# The query parameter that skips the copy (the lists' "Refresh" link).
REFRESH_PARAM = "refresh"


@dataclass(frozen=True)
class Read:
    """One PostHog read a list copies: `query` (the call's name and arguments) names the copy."""

    query: tuple[Hashable, ...]
    call: Callable[[], Any]


@dataclass(frozen=True)
class Copied:
    """What the reads returned (fresh or copied) and when the oldest of them left PostHog."""

    outcomes: dict[str, Outcome]
    fetched_at: float
    # The reads PostHog answered just now (the others came from the copy).
    fresh: frozenset[str] = frozenset()
    # Names exactly these answers (the copies and when each was made) when every read
    # succeeded, so what is drawn from them can be kept as long (adminui.web.regions); None
    # when one failed, as a failure is never copied.
    identity: str | None = None

    @property
    def age_seconds(self) -> int:
        return max(0, int(time.time() - self.fetched_at))


def wants_refresh(params: QueryDict) -> bool:
    return bool(params.get(REFRESH_PARAM))


def gather_copied(
    environment: PostHogEnvironment, reads: dict[str, Read], *, refresh: bool = False
) -> Copied:
    """Each read from the copy when there is one (unless `refresh`), the rest from PostHog at
    the same time (`gather`); successful answers are copied, failures never are."""
    generation = current_generation(_generation_key(environment))
    keys = {name: _copy_key(environment, generation, read.query) for name, read in reads.items()}
    copies = {} if refresh else cache.get_many(list(keys.values()))
    missing = {name: read.call for name, read in reads.items() if keys[name] not in copies}
    fetched = gather(missing) if missing else {}
    now = time.time()
    new_copies = {keys[name]: (now, o.value) for name, o in fetched.items() if o.ok}
    if new_copies:
        cache.set_many(new_copies, timeout=settings.LIST_CACHE_MAX_AGE.total_seconds())
    outcomes: dict[str, Outcome] = {}
    made_at: dict[str, float] = {}
    for name in reads:
        if name in fetched:
            outcomes[name] = fetched[name]
            made_at[name] = now
        else:
            made_at[name], value = copies[keys[name]]
            outcomes[name] = Outcome(value=value)
    identity = None
    if all(outcome.ok for outcome in outcomes.values()):
        identity = digest(*((keys[name], made_at[name]) for name in reads))
    return Copied(outcomes, min(made_at.values(), default=now), frozenset(fetched), identity)


def invalidate(environment: PostHogEnvironment) -> None:
    """Forget every copy of this environment's lists (after the portal wrote to it)."""
    next_generation(_generation_key(environment))


def _generation_key(environment: PostHogEnvironment) -> str:
    # The configured API prefix too: pinning another one is another upstream path.
    where = digest(environment.host, environment.project_id, environment.api_prefix)
    return f"listcopy:{environment.slug}:{where}"


def _copy_key(environment: PostHogEnvironment, generation: str, query: tuple) -> str:
    return f"{_generation_key(environment)}:{generation}:{digest(*query)}"


def digest(*parts: Hashable) -> str:
    """A short stable name for `parts` (cache keys must stay short and free of spaces)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
