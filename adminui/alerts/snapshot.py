"""What one key-health sweep saw of an environment; alerts open and resolve from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from adminui.posthog import Evaluation, Integration, PostHogEnvironment, ProviderKey


@dataclass(frozen=True)
class Failover:
    """The sweep made another key active because the active one failed its check."""

    from_key: ProviderKey
    to_key: ProviderKey


@dataclass(frozen=True)
class EnvironmentSnapshot:
    """A ``None`` list means PostHog could not be asked: alerts about it stay as they are.
    ``config_known`` is False when the evaluation config could not be read: ``active_key_id`` is
    then unknown, not "no active key", and which of a key's two kinds applies stays undecided."""

    environment: PostHogEnvironment
    keys: list[ProviderKey] | None
    active_key_id: str | None
    evaluations: list[Evaluation] | None
    integrations: list[Integration] | None
    failover: Failover | None = None
    config_known: bool = True
    taken_at: datetime = field(default_factory=timezone.now)
