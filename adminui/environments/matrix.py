"""Keys across environments: which environment has a healthy key for each provider.

Every environment's keys and evaluation config are read in one `gather`; an environment whose
keys could not be read leaves its column unknown (with the reason), never "none".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from adminui.environments.rows import calls_per_environment
from adminui.keys.providers import FAILING_STATES, PROVIDERS, provider_label
from adminui.posthog import PostHogEnvironment, get_client
from adminui.posthog.keys import ProviderKey
from adminui.web.concurrency import Outcome


@dataclass(frozen=True)
class Column:
    environment: PostHogEnvironment
    keys: Outcome
    config: Outcome

    @property
    def active_key(self) -> ProviderKey | None:
        """The key that runs this environment's evaluations, as the key list reads it (its
        state current), when known."""
        active = self.config.value.active_provider_key if self.config.ok else None
        if active is None:
            return None
        return next((key for key in self.keys.value or [] if key.id == active.id), active)


@dataclass(frozen=True)
class Cell:
    column: Column
    provider: str
    keys: list[ProviderKey]

    @property
    def known(self) -> bool:
        return self.column.keys.ok

    @property
    def healthy(self) -> int:
        return sum(key.is_healthy for key in self.keys)

    @property
    def failing(self) -> int:
        return sum(key.state in FAILING_STATES for key in self.keys)

    @property
    def status(self) -> str:
        """unknown (the column failed), none, healthy, or unhealthy (keys, none of them valid)."""
        if not self.known:
            return "unknown"
        if not self.keys:
            return "none"
        return "healthy" if self.healthy else "unhealthy"

    @property
    def active(self) -> ProviderKey | None:
        """The environment's evaluation key, when it is of this provider."""
        active = self.column.active_key
        return active if active and active.provider == self.provider else None

    @property
    def active_failing(self) -> bool:
        return self.active is not None and self.active.state in FAILING_STATES

    @property
    def url(self) -> str:
        """This provider's keys in the environment's key list (its `provider` filter)."""
        return f"{reverse('key-list', args=[self.column.environment])}?provider={self.provider}"


@dataclass(frozen=True)
class Row:
    provider: str
    cells: list[Cell]

    @property
    def label(self) -> str:
        return provider_label(self.provider)


@dataclass(frozen=True)
class KeyMatrix:
    columns: list[Column]
    rows: list[Row]
    # Providers no environment has a key for (among those that answered).
    unused: list[str]

    @property
    def failed(self) -> list[Column]:
        return [column for column in self.columns if not column.keys.ok]


def matrix_calls(environment: PostHogEnvironment) -> dict[str, Callable[[], Any]]:
    client = get_client(environment)
    return {"keys": client.list_provider_keys, "config": client.get_evaluation_config}


def cell(column: Column, provider: str) -> Cell:
    return Cell(column, provider, [k for k in column.keys.value or [] if k.provider == provider])


def key_matrix(environments: list[PostHogEnvironment]) -> KeyMatrix:
    outcomes = calls_per_environment(environments, matrix_calls)
    columns = [
        Column(env, outcomes[env.slug]["keys"], outcomes[env.slug]["config"])
        for env in environments
    ]
    seen = {key.provider for column in columns for key in column.keys.value or []}
    # The portal's provider order, then providers PostHog knows and the portal does not.
    providers = [slug for slug in PROVIDERS if slug in seen] + sorted(seen - PROVIDERS.keys())
    rows = [Row(provider, [cell(column, provider) for column in columns]) for provider in providers]
    unused = [slug for slug in PROVIDERS if slug not in seen]
    return KeyMatrix(columns, rows, unused)
