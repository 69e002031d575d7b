"""Opening, resolving and notifying alerts."""

from __future__ import annotations

from adminui.alerts.snapshot import EnvironmentSnapshot


def sync_alerts(snapshot: EnvironmentSnapshot) -> None:
    """Open alerts for the conditions the snapshot shows and resolve the ones that cleared."""
