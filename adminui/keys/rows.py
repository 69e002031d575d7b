"""What a row of the key list shows, worked out once per key in Python.

The template used to derive each value with filters and `{% with %}` blocks; with ten rows that
was most of a cached list's time (bench/pages.py). The values are formatted by the same Django
functions the template's filters call, so the page reads exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from adminui.keys.providers import FAILING_STATES
from adminui.keys.rotation import age_in_days, is_due_for_rotation
from adminui.posthog.keys import ProviderKey
from adminui.web.templatetags import ago, formatted_time, provider_label_filter


@dataclass(frozen=True, slots=True)
class Moment:
    """A time as a table cell shows it: `iso` for <time datetime>, `text` and `title`."""

    iso: str
    text: str
    title: str


def moment(value: datetime | None, text_format: str | None = None) -> Moment | None:
    if value is None:
        return None
    # As templates convert a time: to the current time zone when it is aware.
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    zone = str(local.tzinfo)
    title = formatted_time(local, zone, None)
    text = formatted_time(local, zone, text_format) if text_format else title
    return Moment(local.isoformat(), text, title)


@dataclass(frozen=True, slots=True)
class KeyRow:
    key: ProviderKey
    provider_label: str
    is_active: bool
    # PostHog's message, shown only while the key is in a failed state.
    failure: str
    last_used: Moment | None
    last_used_ago: str
    created: Moment | None
    added_by: str | None
    age_days: int | None
    due_for_rotation: bool


def key_rows(
    keys: Iterable[ProviderKey],
    active_id: str | None,
    added_by: dict[str, str],
    rotated: dict[str, datetime],
) -> list[KeyRow]:
    """`added_by`: who added a key through the portal; `rotated`: when it last rotated it."""
    rows = []
    for key in keys:
        rows.append(
            KeyRow(
                key=key,
                provider_label=provider_label_filter(key.provider),
                is_active=key.id == active_id,
                failure=(key.error_message or "") if key.state in FAILING_STATES else "",
                last_used=moment(key.last_used_at),
                last_used_ago=ago(key.last_used_at),
                created=moment(key.created_at, "j M Y"),
                added_by=added_by.get(key.id),
                age_days=age_in_days(key.created_at),
                due_for_rotation=is_due_for_rotation(key, rotated.get(key.id)),
            )
        )
    return rows
