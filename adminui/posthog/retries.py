"""When the transport retries a call, how long it waits first, and how long it may wait at all.

GETs only (never writes: PostHog has no idempotency keys), at most ``retries`` times, with
exponential backoff, on connection failures and 429/502/503/504, honouring ``Retry-After``.

How long a call may wait depends on who is waiting, the `Patience` of the current context:

* a web request (the default, so nothing forgets it) waits ``WEB.max_wait`` in all, across its
  retries: a person is looking at the page and a worker thread is held. A longer wait (PostHog's
  ``Retry-After: 10``) is not waited for: the error, with its ``retry_after``, comes back at once
  and the page says when to try again. A request also has a deadline (`web_request_budget`,
  set by `adminui.web.budget`): every call's timeouts are cut to what is left of it, so no
  request outlives the server's worker timeout (``WEB_TIMEOUT``);
* background work (`background()`, or a task decorated with `background_work` such as the
  summary task) waits as long as PostHog asks, up to ``BACKGROUND.max_wait`` (a daily limit's
  hours-long ``Retry-After`` would hold a worker for the day: then the task fails and says when
  to try again).

Why a loop in `Transport._request` and not urllib3's `Retry` on the session's adapter (as
PyGithub's ``GithubRetry`` does): `Retry` only sees what happens inside urllib3's ``urlopen``,
up to the response headers. requests reads the body afterwards, so a GET whose connection drops
mid-body (``ChunkedEncodingError``) would no longer be retried. Measured against a server that
cuts a chunked body: 3 attempts with this policy, 1 with ``HTTPAdapter(max_retries=Retry(...))``;
``test_transport_failures_become_typed_errors`` pins the 3.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import requests

from adminui.posthog.errors import PostHogError
from adminui.posthog.redaction import redact_url

__all__ = [
    "BACKGROUND",
    "WEB",
    "Patience",
    "RetryPolicy",
    "background",
    "background_work",
    "current_patience",
    "web_request_budget",
]

logger = logging.getLogger("adminui.posthog")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A retry cannot fix these; and after a read timeout the wait would multiply.
_NOT_RETRIED = (
    requests.ReadTimeout,
    requests.exceptions.SSLError,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
)


@dataclass(frozen=True)
class Patience:
    """How long the PostHog calls of one context may wait."""

    # Retry waits of one call, all together; a longer Retry-After is answered at once instead.
    max_wait: float
    # `time.monotonic()` by which every call must have its answer (a web request's budget).
    deadline: float | None = None
    # The whole budget in seconds, to say in messages ("this page's 110 seconds").
    budget: float | None = None

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or ``None`` without one."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())


# About a second: exactly the two backoff waits of a GET (0.5 s + 1 s), or a Retry-After of 1.
WEB = Patience(max_wait=1.5)
BACKGROUND = Patience(max_wait=600.0)

_patience: ContextVar[Patience] = ContextVar("posthog_patience", default=WEB)


def current_patience() -> Patience:
    return _patience.get()


@contextmanager
def _patient(patience: Patience) -> Iterator[Patience]:
    token = _patience.set(patience)
    try:
        yield patience
    finally:
        _patience.reset(token)


def background() -> AbstractContextManager[Patience]:
    """Calls inside wait as long as PostHog asks (background tasks)."""
    return _patient(BACKGROUND)


def background_work[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """A decorator for background tasks: their calls run under `background()`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with background():
            return function(*args, **kwargs)

    return wrapper


def web_request_budget(seconds: float) -> AbstractContextManager[Patience]:
    """Calls inside wait like a web request's, and all end within ``seconds`` from now."""
    return _patient(replace(WEB, deadline=time.monotonic() + seconds, budget=seconds))


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def delay_after_exception(
        self, method: str, exc: BaseException, attempt: int, waited: float = 0.0
    ) -> float | None:
        """Seconds to wait before retrying a call whose connection failed, or ``None``."""
        if method != "GET" or attempt >= self.retries or isinstance(exc, _NOT_RETRIED):
            return None
        return self._affordable(self._backoff_for(attempt), waited)

    def delay_after_error(
        self, method: str, error: PostHogError, attempt: int, waited: float = 0.0
    ) -> float | None:
        """Seconds to wait before retrying a call PostHog answered with ``error``, or ``None``."""
        if method != "GET" or attempt >= self.retries or error.status not in RETRY_STATUSES:
            return None
        delay = self._backoff_for(attempt)
        if error.retry_after is not None:
            delay = max(float(error.retry_after), delay)
        return self._affordable(delay, waited)

    def wait(self, delay: float, method: str, url: str, *, reason: str, attempt: int) -> None:
        logger.info(
            "PostHog %s %s: %s, retry %d of %d in %.2f s",
            method,
            redact_url(url),
            reason,
            attempt + 1,
            self.retries,
            delay,
        )
        self.sleep(delay)

    def _affordable(self, delay: float, waited: float) -> float | None:
        """``delay``, unless the context's patience cannot afford it (then: no retry)."""
        patience = current_patience()
        if waited + delay > patience.max_wait:
            return None
        remaining = patience.remaining()
        if remaining is not None and delay >= remaining:
            return None
        return delay

    def _backoff_for(self, attempt: int) -> float:
        return self.backoff * (2**attempt)
