"""The API prefix a transport calls, PostHog's deprecation headers, and following its move.

PostHog serves ``/api/environments/{id}/`` as a deprecated alias of ``/api/projects/{id}/``
(docs/posthog-contract.md §1.1): its answers carry ``Deprecation``, a relative
``Link: <...>; rel="successor-version"`` and ``Sunset``. `ApiPrefix` records that notice for the
UI and, when the transport follows PostHog (``POSTHOG_API_PREFIX=auto``: an ``on_prefix_move``
callback), moves to ``/api/projects/`` once the successor is on the same origin and project, or
once the alias answers PostHog's route-not-found 404. Pinned prefixes never move.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from adminui.posthog.links import origin
from adminui.posthog.redaction import redact_url
from adminui.posthog.types import DeprecationNotice, parse_datetime

__all__ = ["API_PREFIXES", "ROUTE_NOT_FOUND", "ApiPrefix"]

logger = logging.getLogger("adminui.posthog")

API_PREFIXES = ("environments", "projects")
# What PostHog's catch-all `api_not_found` view answers for a path no route serves: the alias is
# gone, and no handler ran, so the same request can go to the successor instead.
ROUTE_NOT_FOUND = "Endpoint not found."


class ApiPrefix:
    """The prefix half of `Transport`: which ``/api/<prefix>/{id}/`` it calls, and why."""

    host: str
    project_id: int
    api_prefix: str
    base_path: str
    deprecation: DeprecationNotice | None
    _origin: tuple[str, str, int] | None
    _api_root: str
    _on_prefix_move: Callable[[str, str], None] | None
    _prefix_lock: threading.Lock

    def _use_prefix(self, api_prefix: str) -> None:
        self.api_prefix = api_prefix
        self.base_path = f"/api/{api_prefix}/{self.project_id}/"

    @property
    def follows_prefix_moves(self) -> bool:
        return self._on_prefix_move is not None

    def _note_deprecation(self, response: requests.Response) -> None:
        deprecation = response.headers.get("Deprecation")
        if not deprecation or deprecation.strip().lower() == "false":
            return
        successor = response.links.get("successor-version", {}).get("url")
        # RFC 8288: a relative target resolves against the URL that was asked for.
        successor_url = urljoin(response.url or self.host + "/", successor) if successor else None
        notice = DeprecationNotice(
            deprecation=deprecation.strip(),
            sunset=_http_date(response.headers.get("Sunset")),
            successor=successor_url,
            first_seen=self.deprecation.first_seen if self.deprecation else datetime.now(UTC),
        )
        if self.deprecation is None:
            logger.warning(
                "PostHog says %s is deprecated (sunset %s); successor: %s",
                urlsplit(response.url or "").path or self.base_path,
                notice.sunset.date() if notice.sunset else "not announced",
                redact_url(notice.successor) if notice.successor else "not given",
            )
        if notice != self.deprecation:
            self.deprecation = notice
        if successor_url and self._is_projects_successor(successor_url):
            self._move_to_projects(response.url or "", reason="announced")

    def _is_projects_successor(self, url: str) -> bool:
        """A successor this environment may move to: the same origin, ``/api/projects/`` and
        the same project id. A link anywhere else is recorded but never followed."""
        if not self.follows_prefix_moves or self.api_prefix != "environments":
            return False
        projects_path = f"{self._api_root}projects/{self.project_id}/"
        return origin(url) == self._origin and urlsplit(url).path.startswith(projects_path)

    def _alias_is_gone(self, url: str, response: requests.Response) -> bool:
        """The alias answered PostHog's route-not-found 404 to this call (which may have been
        sent before a concurrent call moved the transport)."""
        if not self.follows_prefix_moves or not urlsplit(url).path.startswith(self._alias_path()):
            return False
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("detail") == ROUTE_NOT_FOUND

    def _move_to_projects(self, url: str, *, reason: str) -> str:
        """Switch to ``/api/projects/`` (once, whichever call sees it first) and answer ``url``
        rewritten onto it."""
        old_path = self._alias_path()
        with self._prefix_lock:
            moved = self.api_prefix != "projects"
            if moved:
                self._use_prefix("projects")
        if moved:
            logger.info("Following PostHog from %s to %s (%s)", old_path, self._api_path(), reason)
            if self._on_prefix_move is not None:
                self._on_prefix_move("projects", reason)
        parts = urlsplit(url)
        if not parts.path.startswith(old_path):
            return url
        return parts._replace(path=self._api_path() + parts.path[len(old_path) :]).geturl()

    def _api_path(self) -> str:
        """The path every call starts with, under a self-hosted PostHog's own path too."""
        return urlsplit(self.host).path + self.base_path

    def _alias_path(self) -> str:
        return f"{self._api_root}environments/{self.project_id}/"


def _http_date(value: str | None) -> datetime | None:
    """A ``Sunset`` value: an HTTP date, tolerating ISO 8601 as well."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return parse_datetime(value.strip())
