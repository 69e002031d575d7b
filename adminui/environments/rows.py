"""All environments: one row per environment, all read at the same time.

Every environment's PostHog calls go into one `gather`, so the page costs about one round trip
however many environments there are, and a failing environment breaks only its own row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adminui.alerts.models import Alert
from adminui.alerts.service import open_alerts_by_environment
from adminui.keys.rotation import last_rotations
from adminui.models import SummaryRequest
from adminui.ops.shared import deprecation_notice
from adminui.overview.views import Attention, keys_needing_attention
from adminui.posthog import DeprecationNotice, PostHogEnvironment, get_client
from adminui.posthog.integrations import Integration
from adminui.web.concurrency import Outcome, gather


@dataclass(frozen=True)
class EnvironmentRow:
    environment: PostHogEnvironment
    keys: Outcome
    config: Outcome
    integrations: Outcome
    latest_summary: SummaryRequest | None
    # PostHog's deprecation notice when the portal still calls the deprecated paths.
    notice: DeprecationNotice | None
    # Unresolved alerts, most severe first (adminui.alerts).
    open_alerts: list[Alert]

    @property
    def acknowledged_alerts(self) -> int:
        """Of the unresolved alerts, those someone acknowledged (the navigation counts the rest)."""
        return sum(alert.status == Alert.Status.ACKNOWLEDGED for alert in self.open_alerts)

    @property
    def failure(self) -> Outcome | None:
        """When every call failed (PostHog unreachable, the key refused): one reason for the
        whole row instead of the same message in each cell."""
        outcomes = [self.keys, self.config, self.integrations]
        return None if any(outcome.ok for outcome in outcomes) else outcomes[0]

    @property
    def attention(self) -> list[Attention]:
        keys = self.keys.value or []
        return keys_needing_attention(keys, last_rotations(self.environment, [k.id for k in keys]))

    @property
    def reconnect(self) -> list[Integration]:
        return [i for i in self.integrations.value or [] if i.needs_reconnecting]


def calls_per_environment(
    environments: list[PostHogEnvironment],
    calls: Callable[[PostHogEnvironment], dict[str, Callable[[], Any]]],
) -> dict[str, dict[str, Outcome]]:
    """Run `calls(environment)` for every environment in ONE gather; the outcomes by
    environment slug, then by call name."""
    per_environment = {env.slug: calls(env) for env in environments}
    outcomes = gather(
        {
            f"{slug} {name}": call
            for slug, named in per_environment.items()
            for name, call in named.items()
        }
    )
    return {
        slug: {name: outcomes[f"{slug} {name}"] for name in named}
        for slug, named in per_environment.items()
    }


def row_calls(environment: PostHogEnvironment) -> dict[str, Callable[[], Any]]:
    """What a row reads from PostHog: what the Overview reads for its key, integration and
    evaluation key cards."""
    client = get_client(environment)
    return {
        "keys": client.list_provider_keys,
        "config": client.get_evaluation_config,
        "integrations": client.list_integrations,
    }


def environment_rows(environments: list[PostHogEnvironment]) -> list[EnvironmentRow]:
    outcomes = calls_per_environment(environments, row_calls)
    alerts = open_alerts_by_environment(env.slug for env in environments)
    return [
        EnvironmentRow(
            environment=env,
            keys=outcomes[env.slug]["keys"],
            config=outcomes[env.slug]["config"],
            integrations=outcomes[env.slug]["integrations"],
            latest_summary=SummaryRequest.objects.filter(environment=env.slug).first(),
            notice=open_notice(env),
            open_alerts=alerts[env.slug],
        )
        for env in environments
    ]


def open_notice(environment: PostHogEnvironment) -> DeprecationNotice | None:
    """PostHog's notice, unless the portal already followed PostHog to the successor paths
    (the Overview says so as "Nothing to do")."""
    client = get_client(environment)
    if environment.follows_posthog_prefix and client.api_prefix == "projects":
        return None
    return deprecation_notice(environment)
