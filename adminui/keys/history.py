"""Each key's state history: recorded whenever a check or a list shows a state that differs
from the last one the portal saw, and read back as the key page's timeline.

Two page loads may read the same last state at once and both see the same change: each change
names the one it follows (``follows``, unique per key), so only the first of them is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from adminui.keys.failures import FailureClass, classify_failure, failure_class
from adminui.keys.models import KeyStateChange
from adminui.posthog import PostHogEnvironment, ProviderKey
from adminui.posthog.redaction import redact

Trigger = KeyStateChange.Trigger
# How far back the key page's timeline reaches.
TIMELINE_LENGTH = 20


def last_states(environment: PostHogEnvironment, key_ids: Iterable[str]) -> dict[str, tuple]:
    """The last recorded (id, state, message, when) of each key, in one query."""
    newest = KeyStateChange.objects.filter(
        environment=environment.slug, key_id=OuterRef("key_id")
    ).order_by("-at", "-id")
    rows = (
        KeyStateChange.objects.filter(environment=environment.slug, key_id__in=list(key_ids))
        .filter(pk=Subquery(newest.values("pk")[:1]))
        .values_list("key_id", "id", "to_state", "message", "at")
    )
    return {key_id: (pk, state, message, at) for key_id, pk, state, message, at in rows}


def record_states(
    environment: PostHogEnvironment,
    keys: Iterable[ProviderKey],
    *,
    trigger: str,
    actor: User | None = None,
    actor_name: str = "",
) -> list[KeyStateChange]:
    """Store the state of each key that differs from the last one recorded (state or PostHog's
    message, stored redacted); answers the changes stored. A key in state ``unknown`` PostHog has
    not checked yet, which says nothing new about a key already seen. (A list's copy,
    adminui/web/listcopy.py, is not passed here again: it was recorded when it was fetched.)"""
    keys = list(keys)
    known = last_states(environment, [key.id for key in keys])
    now = timezone.now()
    stored = []
    for key in keys:
        previous = known.get(key.id)
        message = redact(key.error_message or "")
        if previous is not None and (
            previous[1:3] == (key.state, message) or key.state == "unknown"
        ):
            continue
        failure = classify_failure(key.state, key.error_message)
        change = KeyStateChange(
            environment=environment.slug,
            key_id=key.id,
            key_name=key.name,
            provider=key.provider,
            at=now,
            follows=previous[0] if previous else 0,
            from_state=previous[1] if previous else "",
            to_state=key.state,
            message=message,
            failure_class=failure.slug if failure else "",
            trigger=trigger,
            actor=actor,
            actor_name=actor_name or (actor.get_username() if actor else ""),
        )
        try:
            with transaction.atomic():
                change.save()
        except IntegrityError:  # another request stored this change first
            continue
        stored.append(change)
    return stored


def record_state(environment: PostHogEnvironment, key: ProviderKey, **who) -> None:
    record_states(environment, [key], **who)


def changed_keys(environment: PostHogEnvironment, within: timedelta) -> set[str]:
    """The ids of keys whose state changed (not merely was first seen) within ``within``."""
    since = timezone.now() - within
    return set(
        KeyStateChange.objects.filter(environment=environment.slug, at__gte=since)
        .exclude(from_state="")
        .values_list("key_id", flat=True)
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One stretch of a key's history: a state from ``since`` until ``until`` (None: now)."""

    change: KeyStateChange
    since: datetime
    until: datetime | None

    @property
    def duration(self) -> timedelta:
        return (self.until or timezone.now()) - self.since

    @property
    def failure(self) -> FailureClass | None:
        return failure_class(self.change.failure_class)

    @property
    def is_current(self) -> bool:
        return self.until is None

    @property
    def since_text(self) -> str:
        """ "09:12" today, "3 Nov 09:12" this year, else with the year."""
        local, today = timezone.localtime(self.since), timezone.localdate()
        if local.date() == today:
            return f"{local:%H:%M}"
        return (
            f"{local.day} {local:%b %H:%M}"
            if local.year == today.year
            else f"{local:%Y-%m-%d %H:%M}"
        )


def timeline(environment: PostHogEnvironment, key_id: str) -> list[TimelineEntry]:
    """The key's recorded states, newest first, each with how long it lasted."""
    changes = list(
        KeyStateChange.objects.filter(environment=environment.slug, key_id=key_id)[:TIMELINE_LENGTH]
    )
    entries, until = [], None
    for change in changes:
        entries.append(TimelineEntry(change, change.at, until))
        until = change.at
    return entries
