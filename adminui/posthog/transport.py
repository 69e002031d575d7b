"""The transport: everything generic about talking HTTP to PostHog.

`Transport` wraps one pooled `requests.Session` per PostHog environment. Every call goes
through `Transport._request`, which:

* joins the path onto ``{host}/api/{prefix}/{project_id}/``, or rebuilds an absolute URL (a
  pagination ``next`` link) on the configured origin once `links` has checked it names that
  origin unambiguously;
* sends an explicit ``(connect, read)`` timeout, the longer read timeout when PostHog has to call
  an LLM provider before answering, cut to what is left of a web request's time budget;
* retries GETs only (never writes: PostHog has no idempotency keys), on connection errors and
  429/502/503/504, with bounded exponential backoff that honours ``Retry-After`` as long as the
  context may wait (`retries`: about a second in a web request, as PostHog asks in background
  tasks; it also says why this is not urllib3's `Retry`);
* records ``Deprecation``/``Sunset`` headers and, with ``on_prefix_move`` (``auto``), follows
  PostHog from the deprecated ``/api/environments/`` alias to ``/api/projects/`` (`api_prefix`);
* turns every failure into a typed `PostHogError` (`classify`, into the types of `errors`), so
  no `requests` exception ever leaves this package.

The endpoint groups (`keys`, `evaluations`, `integrations`) build on its request patterns
(`_get_object`, `_write_object`, `_list_all`) and turn bodies into typed results with `_parse`.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

import adminui
from adminui.ops import requestlog
from adminui.posthog.api_prefix import API_PREFIXES, ApiPrefix
from adminui.posthog.classify import (
    bad_response,
    error_from_exception,
    error_from_response,
    is_timeout,
    non_json_success,
    out_of_time,
)
from adminui.posthog.errors import PostHogBadResponse, PostHogNotFound, PostHogTimeout
from adminui.posthog.links import Params, checked_link, origin, query_pairs
from adminui.posthog.redaction import redact_url, register_secret
from adminui.posthog.retries import RetryPolicy, current_patience
from adminui.posthog.types import (
    UNREADABLE,
    DeprecationNotice,
    Listing,
    readable_items,
)

__all__ = ["Params", "Transport", "build_session"]

logger = logging.getLogger("adminui.posthog")

USER_AGENT = f"adminui/{adminui.__version__} (+requests)"

# Transport failures as raised by requests, or by urllib3/http.client when they slip through.
_TRANSPORT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)

# Below this, an attempt could not get an answer before a web request's deadline: stop instead.
MIN_ATTEMPT_SECONDS = 0.5


def build_session(
    personal_api_key: str, session: requests.Session | None = None
) -> requests.Session:
    """A keep-alive session that carries the key and ignores the process environment.

    An injected ``session`` (tests record calls with one) gets the same configuration.

    ``trust_env = False`` stops requests from reading ``~/.netrc`` (which would override the
    Authorization header) and ``*_PROXY``/``REQUESTS_CA_BUNDLE`` variables. Cookies are refused:
    a personal-API-key client must not pick up PostHog session state (e.g. ``ph_oauth_state``).
    Retries are off at the adapter level because `Transport._request` owns them (see `retries`).
    """
    session = session if session is not None else requests.Session()
    session.trust_env = False
    session.headers.update(
        {
            "Authorization": f"Bearer {personal_api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
    )
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Transport(ApiPrefix):
    """One PostHog project, reached with one personal API key: requests, no endpoints."""

    def __init__(
        self,
        *,
        host: str,
        personal_api_key: str,
        project_id: int,
        api_prefix: str = "environments",
        connect_timeout: float = 3.05,
        read_timeout: float = 15.0,
        llm_read_timeout: float = 90.0,
        retries: int = 2,
        backoff: float = 0.5,
        # PostHog's LimitOffsetPagination has no maximum limit: big pages save round trips
        # when the portal reads a whole list (see bench/key_list.py).
        page_size: int = 500,
        max_pages: int = 50,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_prefix_move: Callable[[str, str], None] | None = None,
    ) -> None:
        """``on_prefix_move`` makes the prefix follow PostHog (``POSTHOG_API_PREFIX=auto``): it is
        called with the new prefix and the reason (``announced`` or ``alias_gone``) after a move.
        Without it the prefix is pinned."""
        if api_prefix not in API_PREFIXES:
            raise ValueError(f"api_prefix must be one of {API_PREFIXES}, not {api_prefix!r}")
        self.host = host.rstrip("/")
        self._origin = origin(self.host)
        if self._origin is None:
            raise ValueError("host must be an absolute http(s) URL")
        if "@" in urlsplit(self.host).netloc:
            # requests would turn URL credentials into Basic auth, replacing the Bearer key.
            raise ValueError("host must not contain credentials")
        self.project_id = int(project_id)
        # A self-hosted PostHog may live under a path, e.g. https://example.com/posthog.
        self._api_root = urlsplit(self.host).path + "/api/"
        self._use_prefix(api_prefix)
        self._on_prefix_move = on_prefix_move
        self._prefix_lock = threading.Lock()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.llm_read_timeout = llm_read_timeout
        self.page_size = page_size
        self.max_pages = max_pages
        register_secret(personal_api_key)
        self._retry = RetryPolicy(retries, backoff, sleep)
        self._session = build_session(personal_api_key, session)
        self.deprecation: DeprecationNotice | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.host}{self.base_path}>"

    def close(self) -> None:
        """Release pooled connections (used when settings change in tests)."""
        self._session.close()

    # ----------------------------------------------------------------------------------------
    # Request patterns

    def _get_object(self, path: str, params: Params | None = None, *, llm: bool = False) -> dict:
        return self._json_object(self._request("GET", path, params=params, llm=llm), "GET")

    def _write_object(
        self, method: str, path: str, body: Mapping[str, Any] | None, *, llm: bool = False
    ) -> dict:
        if body:
            register_secret(body.get("api_key"))
        response = self._request(method, path, json=body, llm=llm)
        return self._json_object(response, method)

    def _list_all[T](
        self,
        path: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> Listing[T]:
        return readable_items(factory, self._paginate(path, params))

    def _paginate(self, path: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """Follow ``next`` links of a ``limit``/``offset`` envelope, within ``max_pages``.

        A ``next`` link is only followed to the configured scheme, host and port: a link
        elsewhere would carry the personal API key to a foreign server.
        """
        url: str = path
        page_params: Params | None = {"limit": self.page_size, **(params or {})}
        seen: set[str] = set()
        for _ in range(self.max_pages):
            data = self._json_object(self._request("GET", url, params=page_params), "GET")
            results = data.get("results")
            if not isinstance(results, list):
                raise bad_response(
                    "no results list", status=200, method="GET", path=self._path_of(url)
                )
            yield from (item for item in results if isinstance(item, dict))
            next_url = data.get("next")
            if not next_url:
                return
            url = checked_link(str(next_url), host=self.host)
            if url in seen:
                raise bad_response(
                    "a pagination loop", status=200, method="GET", path=self._path_of(url)
                )
            seen.add(url)
            page_params = None
        raise bad_response(
            f"more than {self.max_pages} pages", status=200, method="GET", path=self._path_of(path)
        )

    def _parse[T](self, factory: Callable[[dict[str, Any]], T], data: Any) -> T:
        """Build a typed result; a body missing what the contract promises is a bad response."""
        try:
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            return factory(data)
        except UNREADABLE as exc:
            raise PostHogBadResponse(
                f"PostHog answered with something the portal did not expect "
                f"({type(exc).__name__}: {exc})."
            ) from exc

    def _json_object(self, response: requests.Response, method: str) -> dict:
        path = urlsplit(response.url or "").path
        if response.status_code == 204 or not response.content:
            raise bad_response(
                "an empty body", status=response.status_code, method=method, path=path
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise non_json_success(response.status_code, method=method, path=path) from exc
        if not isinstance(data, dict):
            raise bad_response(
                "JSON that is not an object", status=response.status_code, method=method, path=path
            )
        return data

    # ----------------------------------------------------------------------------------------
    # The one request function

    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        llm: bool = False,
        allow_redirects: bool = False,
    ) -> requests.Response:
        """Send one API call (retrying GETs) and return the response, or raise `PostHogError`.

        ``allow_redirects`` means "a 3xx is the answer" (authorize); redirects are never
        followed, because following one could carry the key to another host or turn a POST
        into a GET.
        """
        url = self._resolve(path_or_url)
        query = query_pairs(params)
        attempt, waited = 0, 0.0
        while True:
            timeout = self._timeout(method, url, llm=llm)
            try:
                response = self._send(method, url, query, json, timeout)
            except _TRANSPORT_ERRORS as exc:
                error = self._out_of_time(method, url, exc, timeout) or error_from_exception(
                    exc, method=method, url=url, timeout=timeout
                )
                delay = self._retry.delay_after_exception(method, exc, attempt, waited)
                if delay is None:
                    raise error from exc
                self._retry.wait(delay, method, url, reason=type(exc).__name__, attempt=attempt)
                attempt, waited = attempt + 1, waited + delay
                continue
            self._note_deprecation(response)
            status = response.status_code
            if status == 404 and self._alias_is_gone(url, response):
                url = self._move_to_projects(url, reason="alias_gone")
                continue  # no handler ran, so even a write is safe to send again
            if status < 300 or (allow_redirects and status < 400):
                return response
            if status < 400:
                raise bad_response(
                    f"an unexpected HTTP {status} redirect; check POSTHOG_HOST",
                    status=status,
                    method=method,
                    path=urlsplit(url).path,
                )
            error = error_from_response(
                status,
                response.headers,
                response.content,
                method=method,
                path=urlsplit(url).path,
            )
            delay = self._retry.delay_after_error(method, error, attempt, waited)
            if delay is None:
                raise error
            self._retry.wait(delay, method, url, reason=f"HTTP {status}", attempt=attempt)
            attempt, waited = attempt + 1, waited + delay

    def _timeout(self, method: str, url: str, *, llm: bool) -> tuple[float, float]:
        """``(connect, read)`` for the next attempt, cut to what is left of a request's budget."""
        timeout = (self.connect_timeout, self.llm_read_timeout if llm else self.read_timeout)
        remaining = current_patience().remaining()
        if remaining is None:
            return timeout
        if remaining < MIN_ATTEMPT_SECONDS:
            raise out_of_time(current_patience().budget, method=method, url=url, sent=False)
        return (min(timeout[0], remaining), min(timeout[1], remaining))

    def _out_of_time(
        self, method: str, url: str, exc: BaseException, timeout: tuple[float, float]
    ) -> PostHogTimeout | None:
        """The budget's own timeout error when a cut timeout is what ran out."""
        patience = current_patience()
        remaining = patience.remaining()
        if remaining is None or remaining >= MIN_ATTEMPT_SECONDS or not is_timeout(exc):
            return None
        return out_of_time(patience.budget, method=method, url=url, sent=True)

    def _send(
        self,
        method: str,
        url: str,
        query: list[tuple[str, str]],
        json: Any,
        timeout: tuple[float, float],
    ) -> requests.Response:
        started = time.monotonic()
        shown = redact_url(f"{url}?{urlencode(query)}" if query else url)
        try:
            response = self._session.request(
                method,
                url,
                params=query,
                json=json,
                timeout=timeout,
                allow_redirects=False,
                headers=requestlog.outgoing_headers(),
            )
        except _TRANSPORT_ERRORS as exc:
            elapsed = (time.monotonic() - started) * 1000
            logger.debug(
                "PostHog %s %s failed after %.0f ms (%s)",
                method,
                shown,
                elapsed,
                type(exc).__name__,
            )
            raise
        finally:
            requestlog.note_posthog_call(started)
        elapsed = (time.monotonic() - started) * 1000
        logger.debug("PostHog %s %s -> %s in %.0f ms", method, shown, response.status_code, elapsed)
        return response

    # ----------------------------------------------------------------------------------------
    # URLs

    def _resolve(self, path_or_url: str) -> str:
        if urlsplit(path_or_url).scheme:
            return checked_link(path_or_url, host=self.host)
        return f"{self.host}{self.base_path}{path_or_url.lstrip('/')}"

    def _path_of(self, path: str) -> str:
        return urlsplit(self._resolve(path)).path


# --------------------------------------------------------------------------------------------
# Helpers


def _segment(value: object) -> str:
    """A path segment that cannot contain ``/``, ``..`` or a query, whatever the input."""
    return quote(str(value), safe="")


def _uuid(value: str | uuid.UUID | None, what: str) -> str | None:
    """``value`` as a canonical UUID string (``None`` stays ``None``).

    A malformed id cannot name anything in PostHog (which answers 404 for it), so it raises
    `PostHogNotFound` without a request; the id is not echoed back.
    """
    if value is None:
        return None
    try:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        raise PostHogNotFound(
            f"That is not a valid {what} id, so PostHog has no such {what}."
        ) from None


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
