"""Who added a provider key through the portal, read from the audit log.

PostHog's `created_by` is the PostHog user who owns the portal's personal API key; the portal
user who pressed "Add key" is only in the audit log's create events.
"""

from __future__ import annotations

from collections.abc import Iterable

from adminui.models import AuditEvent
from adminui.posthog import PostHogEnvironment


def added_through_portal(environment: PostHogEnvironment, key_ids: Iterable[str]) -> dict[str, str]:
    """key id -> the portal user who created it, for the keys the portal created (one query)."""
    events = AuditEvent.objects.filter(
        environment=environment.slug,
        action="provider_key.create",
        outcome=AuditEvent.Outcome.SUCCESS,
        target_type="provider_key",
        target_id__in=list(key_ids),
    )
    return dict(events.values_list("target_id", "actor_name"))
