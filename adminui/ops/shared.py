"""State one instance learns from PostHog that every instance should show.

PostHog's deprecation notice is recorded by the client of whichever process saw the headers.
A page that makes no PostHog call of its own (the audit log, a stored summary) would show the
banner or not depending on which instance answered; the notice is therefore also kept in the
shared cache, keyed by what it is about (host, project and API prefix), for a day after it was
last seen.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from adminui.posthog import DeprecationNotice, PostHogEnvironment, get_client

NOTICE_LIFETIME = 24 * 3600


def deprecation_notice(environment: PostHogEnvironment) -> DeprecationNotice | None:
    """This process's notice for the environment, or the one another instance saw."""
    key = _notice_key(environment)
    seen_here = get_client(environment).deprecation
    if seen_here is None:
        return cache.get(key)
    cache.add(key, seen_here, NOTICE_LIFETIME)
    return seen_here


def _notice_key(environment: PostHogEnvironment) -> str:
    about = f"{environment.host}|{environment.project_id}|{environment.api_prefix}"
    return "adminui:deprecation:" + hashlib.sha256(about.encode()).hexdigest()[:32]
