"""When the transport retries a call, and how long it waits first.

GETs only (never writes: PostHog has no idempotency keys), at most ``retries`` times, with
exponential backoff, on connection failures and 429/502/503/504. A ``Retry-After`` is honoured
up to ``max_retry_after``; beyond it there is no wait: the caller gets the error, with its
``retry_after``, at once.

Why a loop in `Transport._request` and not urllib3's `Retry` on the session's adapter (as
PyGithub's ``GithubRetry`` does): `Retry` only sees what happens inside urllib3's ``urlopen``,
up to the response headers. requests reads the body afterwards, so a GET whose connection drops
mid-body (``ChunkedEncodingError``) would no longer be retried. Measured against a server that
cuts a chunked body: 3 attempts with this policy, 1 with ``HTTPAdapter(max_retries=Retry(...))``;
``test_transport_failures_become_typed_errors`` pins the 3.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from adminui.posthog.errors import PostHogError
from adminui.posthog.redaction import redact_url

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
class RetryPolicy:
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 10.0
    sleep: Callable[[float], None] = time.sleep

    def delay_after_exception(self, method: str, exc: BaseException, attempt: int) -> float | None:
        """Seconds to wait before retrying a call whose connection failed, or ``None``."""
        if method != "GET" or attempt >= self.retries or isinstance(exc, _NOT_RETRIED):
            return None
        return self._backoff_for(attempt)

    def delay_after_error(self, method: str, error: PostHogError, attempt: int) -> float | None:
        """Seconds to wait before retrying a call PostHog answered with ``error``, or ``None``."""
        if method != "GET" or attempt >= self.retries or error.status not in RETRY_STATUSES:
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return max(float(error.retry_after), self._backoff_for(attempt))
        return self._backoff_for(attempt)

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

    def _backoff_for(self, attempt: int) -> float:
        return self.backoff * (2**attempt)
