"""Helpers for the alert tests: what a sweep of the sandbox sees, and changes to it."""

from __future__ import annotations

from dataclasses import replace

from adminui.alerts.snapshot import EnvironmentSnapshot
from adminui.posthog import get_client, get_environment


def sandbox_snapshot(**changes) -> EnvironmentSnapshot:
    """What a sweep of the sandbox's demo project sees, read through the service module."""
    client = get_client("sandbox")
    config = client.get_evaluation_config()
    snapshot = EnvironmentSnapshot(
        environment=get_environment("sandbox"),
        keys=list(client.list_provider_keys()),
        active_key_id=config.active_provider_key.id if config.active_provider_key else None,
        evaluations=list(client.list_evaluations(limit=100).results),
        integrations=client.list_integrations(),
    )
    return replace(snapshot, **changes)


def with_key_state(snapshot: EnvironmentSnapshot, key_id: str, state: str, error: str | None):
    assert snapshot.keys is not None
    keys = [
        replace(key, state=state, error_message=error) if key.id == key_id else key
        for key in snapshot.keys
    ]
    return replace(snapshot, keys=keys)
