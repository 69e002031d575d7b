"""The only code in adminui that speaks HTTP to PostHog.

`PostHogClient` wraps one pooled `requests.Session` per PostHog environment. Every call goes
through `PostHogClient._request`, which:

* joins the path onto ``{host}/api/{prefix}/{project_id}/`` (or checks that an absolute URL,
  such as a pagination ``next`` link, points at the configured host);
* sends an explicit ``(connect, read)`` timeout, the longer read timeout when PostHog has to call
  an LLM provider before answering;
* retries GETs only (never writes: PostHog has no idempotency keys), on connection errors and
  429/502/503/504, with bounded exponential backoff that honours a short ``Retry-After``;
* records ``Deprecation``/``Sunset`` headers so the UI can warn admins;
* turns every failure into a typed `PostHogError` (see `errors`), so no `requests` exception
  ever leaves this package.

Endpoint methods are thin: they validate the ids that go into the path, pick a request pattern
helper (`_get_object`, `_write_object`, `_list_all`, `_get_list`) and build a typed result.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

import adminui
from adminui.ops import requestlog
from adminui.posthog import resources as r
from adminui.posthog.errors import (
    PostHogBadResponse,
    PostHogError,
    PostHogNotFound,
    bad_response,
    error_from_exception,
    error_from_response,
    non_json_success,
)
from adminui.posthog.redaction import redact_url, register_secret

__all__ = ["PostHogClient", "build_session"]

logger = logging.getLogger("adminui.posthog")

USER_AGENT = f"adminui/{adminui.__version__} (+requests)"
API_PREFIXES = ("environments", "projects")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# PostHog reads ``?token=``/``?api_key=`` on a GET as a project token that overrides the team
# (contract §1.1), and a key in a URL ends up in access logs. Never send them.
FORBIDDEN_PARAMS = frozenset({"token", "api_key", "personal_api_key"})
EVALUATION_SUMMARY_FILTERS = ("all", "pass", "fail", "na")
PROVIDER_KEY_CHANGES = frozenset({"name", "api_key", "azure_endpoint", "api_version"})

# Transport failures as raised by requests, or by urllib3/http.client when they slip through.
_TRANSPORT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)

type Params = Mapping[str, str | int | bool | None]


def build_session(
    personal_api_key: str, session: requests.Session | None = None
) -> requests.Session:
    """A keep-alive session that carries the key and ignores the process environment.

    An injected ``session`` (tests record calls with one) gets the same configuration.

    ``trust_env = False`` stops requests from reading ``~/.netrc`` (which would override the
    Authorization header) and ``*_PROXY``/``REQUESTS_CA_BUNDLE`` variables. Cookies are refused:
    a personal-API-key client must not pick up PostHog session state (e.g. ``ph_oauth_state``).
    Retries are off at the adapter level because `PostHogClient._request` owns them.
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


class PostHogClient:
    """One PostHog project, reached with one personal API key."""

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
        max_retry_after: float = 10.0,
        # PostHog's LimitOffsetPagination has no maximum limit: big pages save round trips
        # when the portal reads a whole list (see bench/key_list.py).
        page_size: int = 500,
        max_pages: int = 50,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if api_prefix not in API_PREFIXES:
            raise ValueError(f"api_prefix must be one of {API_PREFIXES}, not {api_prefix!r}")
        self.host = host.rstrip("/")
        self._origin = _origin(self.host)
        if self._origin is None:
            raise ValueError("host must be an absolute http(s) URL")
        if "@" in urlsplit(self.host).netloc:
            # requests would turn URL credentials into Basic auth, replacing the Bearer key.
            raise ValueError("host must not contain credentials")
        self.project_id = int(project_id)
        self.api_prefix = api_prefix
        self.base_path = f"/api/{api_prefix}/{self.project_id}/"
        # A self-hosted PostHog may live under a path, e.g. https://example.com/posthog.
        self._api_root = urlsplit(self.host).path + "/api/"
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.llm_read_timeout = llm_read_timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.page_size = page_size
        self.max_pages = max_pages
        self._sleep = sleep
        register_secret(personal_api_key)
        self._session = build_session(personal_api_key, session)
        self.deprecation: r.DeprecationNotice | None = None

    def __repr__(self) -> str:
        return f"<PostHogClient {self.host}{self.base_path}>"

    def close(self) -> None:
        """Release pooled connections (used when settings change in tests)."""
        self._session.close()

    # ----------------------------------------------------------------------------------------
    # Provider keys

    def list_provider_keys(self) -> list[r.ProviderKey]:
        """Every provider key of the project, newest first, across all pages."""
        return self._list_all("llm_analytics/provider_keys/", r.ProviderKey.from_api)

    def get_provider_key(self, key_id: str | uuid.UUID) -> r.ProviderKey:
        return self._parse(r.ProviderKey.from_api, self._get_object(_key_path(key_id)))

    def create_provider_key(
        self,
        *,
        provider: str,
        name: str,
        api_key: str,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        set_as_active: bool = False,
    ) -> r.ProviderKey:
        """Create a key; PostHog validates it live with the provider first (LLM timeout)."""
        body = _without_none(
            {
                "provider": provider,
                "name": name,
                "api_key": api_key,
                "azure_endpoint": azure_endpoint,
                "api_version": api_version,
                "set_as_active": set_as_active,
            }
        )
        data = self._write_object("POST", "llm_analytics/provider_keys/", body, llm=True)
        return self._parse(r.ProviderKey.from_api, data)

    def update_provider_key(
        self, key_id: str | uuid.UUID, changes: Mapping[str, Any]
    ) -> r.ProviderKey:
        """PATCH only the given fields. ``None`` values, and an empty ``api_key`` ("keep the
        current key"), are left out. A new ``api_key`` is validated live (LLM timeout)."""
        unknown = set(changes) - PROVIDER_KEY_CHANGES
        if unknown:
            raise ValueError(f"Provider keys cannot change {sorted(unknown)}")
        body = _without_none(changes)
        if not body.get("api_key"):
            body.pop("api_key", None)
        data = self._write_object("PATCH", _key_path(key_id), body, llm="api_key" in body)
        return self._parse(r.ProviderKey.from_api, data)

    def delete_provider_key(
        self, key_id: str | uuid.UUID, *, replacement_key_id: str | uuid.UUID | None = None
    ) -> None:
        """Delete a key; with a replacement, PostHog re-points dependent evaluations to it."""
        params = {"replacement_key_id": _uuid(replacement_key_id, "replacement key")}
        self._request("DELETE", _key_path(key_id), params=params)

    def validate_provider_key(self, key_id: str | uuid.UUID) -> r.ProviderKey:
        """Re-check a stored key with its provider; the result's ``state`` says how it went."""
        data = self._write_object("POST", _key_path(key_id, "validate"), None, llm=True)
        return self._parse(r.ProviderKey.from_api, data)

    def get_dependent_configs(self, key_id: str | uuid.UUID) -> r.DependentConfigs:
        data = self._get_object(_key_path(key_id, "dependent_configs"))
        return self._parse(r.DependentConfigs.from_api, data)

    def check_provider_key(
        self,
        *,
        provider: str,
        api_key: str,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
    ) -> r.KeyValidation:
        """Validate a key without saving it (``provider_key_validations``)."""
        body = _without_none(
            {
                "provider": provider,
                "api_key": api_key,
                "azure_endpoint": azure_endpoint,
                "api_version": api_version,
            }
        )
        data = self._write_object("POST", "llm_analytics/provider_key_validations/", body, llm=True)
        return self._parse(r.KeyValidation.from_api, data)

    # ----------------------------------------------------------------------------------------
    # Evaluation config and models

    def get_evaluation_config(self) -> r.EvaluationConfig:
        data = self._get_object("llm_analytics/evaluation_config/")
        return self._parse(r.EvaluationConfig.from_api, data)

    def set_active_key(self, key_id: str | uuid.UUID) -> r.EvaluationConfig:
        body = {"key_id": _uuid(key_id, "provider key")}
        data = self._write_object("POST", "llm_analytics/evaluation_config/set_active_key/", body)
        return self._parse(r.EvaluationConfig.from_api, data)

    def list_models(
        self, *, provider: str | None = None, key_id: str | uuid.UUID | None = None
    ) -> r.ModelCatalog:
        """Models per provider. With ``key_id`` PostHog asks the provider live (LLM timeout)."""
        params = {"provider": provider, "key_id": _uuid(key_id, "provider key")}
        data = self._get_object("llm_analytics/models/", params, llm=key_id is not None)
        return self._parse(lambda d: r.ModelCatalog.from_api(d, provider=provider), data)

    # ----------------------------------------------------------------------------------------
    # Evaluations

    def list_evaluations(
        self,
        *,
        search: str | None = None,
        enabled: bool | None = None,
        order_by: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> r.Page[r.Evaluation]:
        params = {
            "search": search or None,
            "enabled": enabled,
            "order_by": order_by,
            "limit": limit,
            "offset": offset,
        }
        data = self._get_object("evaluations/", params)
        return self._parse(
            lambda d: r.Page.from_api(d, r.Evaluation.from_api, limit=limit, offset=offset), data
        )

    def get_evaluation(self, evaluation_id: str | uuid.UUID) -> r.Evaluation:
        path = f"evaluations/{_uuid(evaluation_id, 'evaluation')}/"
        return self._parse(r.Evaluation.from_api, self._get_object(path))

    def summarize_evaluation(
        self,
        *,
        evaluation_id: str | uuid.UUID,
        filter: str = "all",
        generation_ids: list[str] | None = None,
        force_refresh: bool = False,
    ) -> r.EvaluationSummary:
        """Ask PostHog's LLM to summarise recent runs (up to 250; LLM timeout, tight throttle)."""
        if filter not in EVALUATION_SUMMARY_FILTERS:
            raise ValueError(f"filter must be one of {EVALUATION_SUMMARY_FILTERS}")
        body: dict[str, Any] = {
            "evaluation_id": _uuid(evaluation_id, "evaluation"),
            "filter": filter,
            "force_refresh": force_refresh,
        }
        if generation_ids is not None:
            body["generation_ids"] = [str(g) for g in generation_ids]
        data = self._write_object("POST", "llm_analytics/evaluation_summary/", body, llm=True)
        return self._parse(r.EvaluationSummary.from_api, data)

    # ----------------------------------------------------------------------------------------
    # Integrations

    def list_integrations(self, *, kind: str | None = None) -> list[r.Integration]:
        """All integrations (all pages). ``kind`` is also applied here, as older PostHog
        versions ignore the filter."""
        items = self._list_all("integrations/", r.Integration.from_api, {"kind": kind})
        return [i for i in items if kind is None or i.kind == kind]

    def get_integration(self, integration_id: int) -> r.Integration:
        data = self._get_object(_integration_path(integration_id))
        return self._parse(r.Integration.from_api, data)

    def list_github_repos(
        self,
        integration_id: int,
        *,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> r.RepositoryPage:
        params = {"search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "github_repos", r.RepositoryPage.from_api, params
        )

    def list_github_branches(
        self,
        integration_id: int,
        *,
        repo: str,
        search: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> r.BranchPage:
        params = {"repo": repo, "search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "github_branches", r.BranchPage.from_api, params
        )

    def list_jira_projects(self, integration_id: int) -> list[r.JiraProject]:
        return self._integration_list(
            integration_id, "jira_projects", "projects", r.JiraProject.from_api
        )

    def list_linear_teams(self, integration_id: int) -> list[r.LinearTeam]:
        return self._integration_list(
            integration_id, "linear_teams", "teams", r.LinearTeam.from_api
        )

    def list_slack_channels(
        self,
        integration_id: int,
        *,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> r.SlackChannelPage:
        params = {"search": search or None, "limit": limit, "offset": offset}
        return self._integration_action(
            integration_id, "channels", r.SlackChannelPage.from_api, params
        )

    def list_google_accessible_accounts(self, integration_id: int) -> list[r.GoogleAdsAccount]:
        return self._integration_list(
            integration_id,
            "google_accessible_accounts",
            "accessibleAccounts",
            r.GoogleAdsAccount.from_api,
        )

    def list_google_conversion_actions(
        self, integration_id: int, *, customer_id: str, parent_id: str | None = None
    ) -> list[r.GoogleConversionAction]:
        return self._integration_list(
            integration_id,
            "google_conversion_actions",
            "conversionActions",
            r.GoogleConversionAction.from_api,
            {"customerId": customer_id, "parentId": parent_id},
        )

    def list_linkedin_ads_accounts(self, integration_id: int) -> list[r.LinkedInAdsAccount]:
        return self._integration_list(
            integration_id, "linkedin_ads_accounts", "adAccounts", r.LinkedInAdsAccount.from_api
        )

    def list_linkedin_ads_conversion_rules(
        self, integration_id: int, *, account_id: str
    ) -> list[r.LinkedInConversionRule]:
        return self._integration_list(
            integration_id,
            "linkedin_ads_conversion_rules",
            "conversionRules",
            r.LinkedInConversionRule.from_api,
            {"accountId": account_id},
        )

    def list_twilio_phone_numbers(
        self, integration_id: int, *, force_refresh: bool = False
    ) -> r.TwilioPhoneNumbers:
        params = {"force_refresh": True if force_refresh else None}
        return self._integration_action(
            integration_id, "twilio_phone_numbers", r.TwilioPhoneNumbers.from_api, params
        )

    def authorize_integration(self, *, kind: str, next_path: str) -> str:
        """The provider authorization URL PostHog redirects to when connecting ``kind``.

        The 302 is not followed: the browser has to go there itself. ``next_path`` must be a
        relative path, as PostHog requires for GitHub and as is safe for every kind.
        """
        if not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
            raise ValueError("next_path must be a relative path starting with a single /")
        path = "integrations/authorize/"
        response = self._request(
            "GET", path, params={"kind": kind, "next": next_path}, allow_redirects=True
        )
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            raise bad_response(
                "no redirect to the provider's authorization page",
                status=response.status_code,
                method="GET",
                path=self._path_of(path),
            )
        return urljoin(self.host + "/", location)

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

    def _integration_action[T](
        self,
        integration_id: int,
        action: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> T:
        data = self._get_object(_integration_path(integration_id, action), params)
        return self._parse(factory, data)

    def _integration_list[T](
        self,
        integration_id: int,
        action: str,
        key: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> list[T]:
        """An integration action answering ``{key: [items]}``."""

        def build(data: dict[str, Any]) -> list[T]:
            items = data[key]
            if not isinstance(items, list):
                raise TypeError(f"{key} is not a list")
            return [factory(item) for item in items if isinstance(item, dict)]

        return self._integration_action(integration_id, action, build, params)

    def _list_all[T](
        self,
        path: str,
        factory: Callable[[dict[str, Any]], T],
        params: Params | None = None,
    ) -> list[T]:
        return [self._parse(factory, item) for item in self._paginate(path, params)]

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
            url = self._checked_absolute_url(str(next_url))
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
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
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
        query = _query(params)
        timeout = (self.connect_timeout, self.llm_read_timeout if llm else self.read_timeout)
        attempt = 0
        while True:
            try:
                response = self._send(method, url, query, json, timeout)
            except _TRANSPORT_ERRORS as exc:
                error = error_from_exception(exc, method=method, url=url, timeout=timeout)
                delay = self._transport_retry_delay(method, exc, attempt)
                if delay is None:
                    raise error from exc
                self._wait(delay, method, url, reason=type(exc).__name__, attempt=attempt)
                attempt += 1
                continue
            self._note_deprecation(response)
            status = response.status_code
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
            delay = self._status_retry_delay(method, error, attempt)
            if delay is None:
                raise error
            self._wait(delay, method, url, reason=f"HTTP {status}", attempt=attempt)
            attempt += 1

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
    # Retries

    def _transport_retry_delay(self, method: str, exc: BaseException, attempt: int) -> float | None:
        """Retry a GET whose connection failed; not a read timeout (the wait would multiply)
        and not a TLS or URL error (a retry cannot fix those)."""
        if method != "GET" or attempt >= self.retries:
            return None
        if isinstance(exc, (requests.ReadTimeout, requests.exceptions.SSLError)):
            return None
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
            return None
        return self._backoff_for(attempt)

    def _status_retry_delay(self, method: str, error: PostHogError, attempt: int) -> float | None:
        """Retry a GET answered 429/502/503/504, unless PostHog asks for a longer wait than
        ``max_retry_after``: then the caller gets the error, with ``retry_after``, at once."""
        if method != "GET" or attempt >= self.retries or error.status not in RETRY_STATUSES:
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return max(float(error.retry_after), self._backoff_for(attempt))
        return self._backoff_for(attempt)

    def _backoff_for(self, attempt: int) -> float:
        return self.backoff * (2**attempt)

    def _wait(self, delay: float, method: str, url: str, *, reason: str, attempt: int) -> None:
        logger.info(
            "PostHog %s %s: %s, retry %d of %d in %.2f s",
            method,
            redact_url(url),
            reason,
            attempt + 1,
            self.retries,
            delay,
        )
        self._sleep(delay)

    # ----------------------------------------------------------------------------------------
    # URLs

    def _resolve(self, path_or_url: str) -> str:
        if urlsplit(path_or_url).scheme:
            return self._checked_absolute_url(path_or_url)
        return f"{self.host}{self.base_path}{path_or_url.lstrip('/')}"

    def _checked_absolute_url(self, url: str) -> str:
        """Accept an absolute URL only on the configured origin, under its ``/api/``, and
        without token-like query parameters."""
        parts = urlsplit(url)
        names = {name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
        if _origin(url) != self._origin:
            reason = f"a link to another server ({parts.scheme}://{parts.hostname})"
        # "/api/../x" starts with /api/ but leaves it once resolved: no dot segments at all.
        elif not parts.path.startswith(self._api_root) or {".", ".."} & {
            unquote(segment) for segment in parts.path.split("/")
        }:
            reason = "a link outside PostHog's API"
        else:
            reason = ""
        if reason:
            raise bad_response(reason, status=None, method="GET", path=parts.path)
        if names & FORBIDDEN_PARAMS:
            raise bad_response(
                "a link carrying a token parameter", status=None, method="GET", path=parts.path
            )
        return url

    def _path_of(self, path: str) -> str:
        return urlsplit(self._resolve(path)).path

    # ----------------------------------------------------------------------------------------
    # Deprecation headers

    def _note_deprecation(self, response: requests.Response) -> None:
        deprecation = response.headers.get("Deprecation")
        if not deprecation or deprecation.strip().lower() == "false":
            return
        successor = response.links.get("successor-version", {}).get("url")
        notice = r.DeprecationNotice(
            deprecation=deprecation.strip(),
            sunset=_http_date(response.headers.get("Sunset")),
            successor=urljoin(self.host + "/", successor) if successor else None,
            first_seen=self.deprecation.first_seen if self.deprecation else datetime.now(UTC),
        )
        if self.deprecation is None:
            logger.warning(
                "PostHog says %s is deprecated (sunset %s); successor: %s",
                self.base_path,
                notice.sunset.date() if notice.sunset else "not announced",
                notice.successor or "not given",
            )
        if notice != self.deprecation:
            self.deprecation = notice


# --------------------------------------------------------------------------------------------
# Helpers


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with default ports filled in, for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    return scheme, parts.hostname.lower(), port


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


def _integration_id(value: int | str) -> int:
    """Integration ids are integers; anything else (including booleans) names nothing."""
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        raise PostHogNotFound("That is not a valid integration id, so PostHog has no such one.")
    return int(value)


def _key_path(key_id: str | uuid.UUID, action: str | None = None) -> str:
    path = f"llm_analytics/provider_keys/{_uuid(key_id, 'provider key')}/"
    return f"{path}{_segment(action)}/" if action else path


def _integration_path(integration_id: int | str, action: str | None = None) -> str:
    path = f"integrations/{_integration_id(integration_id)}/"
    return f"{path}{_segment(action)}/" if action else path


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _query(params: Params | None) -> list[tuple[str, str]]:
    """Query pairs with ``None`` dropped, booleans as ``true``/``false``, and token-like
    parameters removed (see FORBIDDEN_PARAMS)."""
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        if value is None:
            continue
        if name.lower() in FORBIDDEN_PARAMS:
            logger.warning("Dropped the %r query parameter from a PostHog request", name)
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        pairs.append((name, text))
    return pairs


def _http_date(value: str | None) -> datetime | None:
    """A ``Sunset`` value: an HTTP date, tolerating ISO 8601 as well."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return r.parse_datetime(value.strip())
