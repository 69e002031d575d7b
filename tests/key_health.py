"""Fixtures the key-health tests share: quick checks, the snapshots the sweep hands to alerts,
and an environment that opted in to failover."""

from __future__ import annotations

import pytest

from adminui.alerts.snapshot import EnvironmentSnapshot
from adminui.demo_project import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID
from adminui.posthog import PostHogEnvironment, get_environment
from tests.conftest import environment_entry, write_environments_file


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


@pytest.fixture
def failover(sandbox, settings, tmp_path, monkeypatch):
    """Call with `enabled` to put the portal on an environments file whose one environment, the
    sandbox's project as slug "sandbox", opted in to failover (or not)."""

    def configure(enabled: bool = True) -> PostHogEnvironment:
        monkeypatch.setenv("ADMINUI_TEST_SANDBOX_KEY", DEMO_PERSONAL_API_KEY)
        entry = environment_entry(
            sandbox, "sandbox", "Production", DEMO_PROJECT_ID, failover=enabled
        )
        settings.ADMINUI_ENVIRONMENTS_FILE = str(write_environments_file(tmp_path, [entry]))
        return get_environment()

    return configure
