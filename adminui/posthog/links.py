"""Which URLs the transport may send the personal API key to, and the query it may send.

Every request goes to the configured PostHog host. A relative path is joined onto it; an
absolute URL (a pagination ``next`` link from PostHog's answer) is accepted only when it names
that origin unambiguously, and is then rebuilt on it (`checked_link`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import urllib3.exceptions
import urllib3.util

from adminui.posthog.classify import bad_response

__all__ = ["FORBIDDEN_PARAMS", "Params", "checked_link", "origin", "query_pairs"]

logger = logging.getLogger("adminui.posthog")

# PostHog reads ``?token=``/``?api_key=`` on a GET as a project token that overrides the team
# (docs/posthog-contract.md §1.1), and a key in a URL ends up in access logs. Never send them.
FORBIDDEN_PARAMS = frozenset({"token", "api_key", "personal_api_key"})
# Characters on which URL parsers disagree (or that no valid link contains).
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")

type Params = Mapping[str, str | int | bool | None]
type Origin = tuple[str, str, int]


def checked_link(url: str, *, host: str) -> str:
    """An absolute URL (a ``next`` link) rebuilt on ``host``'s origin, or `PostHogBadResponse`.

    The link must name the configured origin both as `urlsplit` and as urllib3 (which
    requests uses to connect) read it: they disagree on links such as ``http://a\\@b/``,
    so anything either could read two ways (userinfo, backslashes, whitespace, control
    characters) is refused outright. What is sent is the configured origin plus the link's
    path and query, so even a parser quirk unknown today cannot change the host. The path must
    stay under the host's ``/api/`` (a self-hosted PostHog may live under a path), and the query
    carry no token-like parameter.
    """
    parts = urlsplit(url)
    configured = urlsplit(host)
    api_root = configured.path.rstrip("/") + "/api/"
    if _AMBIGUOUS.search(url) or "@" in parts.netloc:
        reason = "an ambiguous link (credentials, backslashes or control characters)"
    elif not (origin(url) == library_origin(url) == origin(host)):
        reason = f"a link to another server ({parts.scheme}://{parts.hostname})"
    # "/api/../x" starts with /api/ but leaves it once resolved: no dot segments at all.
    elif not parts.path.startswith(api_root) or {".", ".."} & {
        unquote(segment) for segment in parts.path.split("/")
    }:
        reason = "a link outside PostHog's API"
    elif {name.lower() for name, _ in parse_qsl(parts.query, True)} & FORBIDDEN_PARAMS:
        reason = "a link carrying a token parameter"
    else:
        return urlunsplit((configured.scheme, configured.netloc, parts.path, parts.query, ""))
    raise bad_response(reason, status=None, method="GET", path=parts.path)


def origin(url: str) -> Origin | None:
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


def library_origin(url: str) -> Origin | None:
    """`origin` as urllib3, which opens the connection, reads the URL."""
    try:
        parts = urllib3.util.parse_url(url)
    except urllib3.exceptions.LocationParseError:
        return None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https") or not parts.host:
        return None
    host = parts.host.strip("[]").lower()
    return scheme, host, parts.port or (443 if scheme == "https" else 80)


def query_pairs(params: Params | None) -> list[tuple[str, str]]:
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
