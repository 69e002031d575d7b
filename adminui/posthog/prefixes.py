"""Where ``POSTHOG_API_PREFIX=auto`` keeps the prefix it followed PostHog to.

The contract is docs/posthog-contract.md §1.1.

A move is stored as an `ApiPrefixMove` keyed by the environment's slug, so clients built later,
after a restart or in another instance, start on ``/api/projects/``. The transport reports a move
from whichever thread made the call (the portal runs PostHog calls concurrently); when the
database refuses the write there (SQLite allows one writer at a time), the move is kept here and
written by the next `get_client()` or `stored_move()`, which run in a request's own thread.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from django.db import Error as DatabaseError

if TYPE_CHECKING:
    from adminui.models import ApiPrefixMove
    from adminui.posthog.environments import PostHogEnvironment

logger = logging.getLogger("adminui.posthog")

_lock = threading.Lock()
_unsaved: dict[str, tuple[PostHogEnvironment, str, str]] = {}


def stored_move(environment: PostHogEnvironment) -> ApiPrefixMove | None:
    """The stored move of this environment, if it was made for the same host and project."""
    from adminui.models import ApiPrefixMove

    save_unsaved_moves()
    try:
        return ApiPrefixMove.objects.filter(
            environment=environment.slug,
            host=environment.host,
            project_id=environment.project_id,
        ).first()
    except DatabaseError:
        logger.warning("Could not read the stored API prefix of %s", environment.slug)
        return None


def remember_move(environment: PostHogEnvironment, prefix: str, reason: str) -> None:
    """Store a move now, or as soon as a request's thread can (the client has moved anyway)."""
    with _lock:
        _unsaved[environment.slug] = (environment, prefix, reason)
    save_unsaved_moves()


def save_unsaved_moves() -> None:
    if not _unsaved:
        return
    with _lock:
        moves = list(_unsaved.items())
    for slug, (environment, prefix, reason) in moves:
        if _save(environment, prefix, reason):
            with _lock:
                if _unsaved.get(slug) == (environment, prefix, reason):
                    del _unsaved[slug]


def forget_unsaved_moves() -> None:
    """Drop moves not yet written (the environments they belong to are gone)."""
    with _lock:
        _unsaved.clear()


def _save(environment: PostHogEnvironment, prefix: str, reason: str) -> bool:
    from adminui.models import ApiPrefixMove

    try:
        ApiPrefixMove.objects.update_or_create(
            environment=environment.slug,
            defaults={
                "host": environment.host,
                "project_id": environment.project_id,
                "prefix": prefix,
                "reason": reason,
            },
        )
    except DatabaseError as error:
        logger.info("Storing the move of %s waits (%s)", environment.slug, type(error).__name__)
        return False
    return True
