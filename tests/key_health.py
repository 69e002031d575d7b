"""Fixtures the key-health tests share: quick checks, the snapshots the sweep hands to alerts,
and an environment that opted in to failover."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adminui.alerts.snapshot import EnvironmentSnapshot
from adminui.posthog import get_environment


@pytest.fixture
def quick_checks(settings, sandbox):
    """Sweeps check one key after another with no pause, and skip nothing."""
    settings.KEY_CHECK_SPREAD_SECONDS = 0
    settings.KEY_CHECK_SKIP_MINUTES = 0
    settings.POSTHOG_RETRY_BACKOFF = 0
    sandbox.switch(validation_delay=0.01)
    return settings


@pytest.fixture
def snapshots(monkeypatch) -> list[EnvironmentSnapshot]:
    """Every snapshot the sweep hands to `sync_alerts`, in order."""
    seen: list[EnvironmentSnapshot] = []
    monkeypatch.setattr("adminui.keys.sweep.sync_alerts", seen.append)
    return seen


def with_failover(monkeypatch, enabled: bool = True):
    """The sandbox environment as the environments file would give it with `failover`."""
    environment = replace(get_environment(), failover=enabled)
    monkeypatch.setattr(
        "adminui.keys.sweep.get_environments", lambda: {environment.slug: environment}
    )
    return environment
