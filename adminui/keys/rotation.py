"""Key rotation: how old a key is, and whether it is due for rotation (KEY_ROTATION_DAYS)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from adminui.posthog.keys import ProviderKey


def age_in_days(moment: datetime | None) -> int | None:
    return (timezone.now() - moment).days if moment else None


def is_due_for_rotation(key: ProviderKey) -> bool:
    age = age_in_days(key.created_at)
    return age is not None and age > settings.KEY_ROTATION_DAYS
