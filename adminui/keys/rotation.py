"""Key rotation: how old a key's secret is, and whether it is due for rotation
(KEY_ROTATION_DAYS). PostHog keeps no rotation date, so a secret counts from the key's creation
or from its last rotation through the portal (the audit log), whichever is later. A new secret
saved through Edit counts as a rotation: its audit row keeps the (redacted) ``api_key`` entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from adminui.models import AuditEvent
from adminui.posthog import PostHogEnvironment
from adminui.posthog.keys import ProviderKey


def age_in_days(moment: datetime | None) -> int | None:
    return (timezone.now() - moment).days if moment else None


def last_rotations(environment: PostHogEnvironment, key_ids: Iterable[str]) -> dict[str, datetime]:
    """key id -> when the portal last rotated it, for the keys it rotated (one query)."""
    new_secret = Q(action="provider_key.rotate") | Q(
        action="provider_key.update", details__has_key="api_key"
    )
    events = AuditEvent.objects.filter(
        new_secret,
        environment=environment.slug,
        outcome=AuditEvent.Outcome.SUCCESS,
        target_type="provider_key",
        target_id__in=list(key_ids),
    )
    latest = events.order_by().values("target_id").annotate(last=Max("created_at"))
    return {row["target_id"]: row["last"] for row in latest}


def secret_age_in_days(key: ProviderKey, rotated_at: datetime | None = None) -> int | None:
    moments = [moment for moment in (key.created_at, rotated_at) if moment]
    return age_in_days(max(moments)) if moments else None


def is_due_for_rotation(key: ProviderKey, rotated_at: datetime | None = None) -> bool:
    age = secret_age_in_days(key, rotated_at)
    return age is not None and age > settings.KEY_ROTATION_DAYS
