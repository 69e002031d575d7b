"""The key-health sweep: validate every due key of every environment, record what changed, fail
over a failing active key where the environment opted in, and hand what it saw to the alerts.

One sweep runs at a time across every instance (`adminui.keys.lease`). A check costs one
``validate`` call per key; keys the portal validated within ``KEY_CHECK_SKIP_MINUTES`` are
skipped (PostHog does not say when it last checked a key: the audit log does). Checks are spread
out by a random pause of up to ``KEY_CHECK_SPREAD_SECONDS`` between keys. PostHog's 429 is
waited for (its ``Retry-After``, at most ``KEY_CHECK_MAX_WAIT_SECONDS``) and the key tried once
more; a second refusal, or a longer wait, ends that environment's checks until the next sweep.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from adminui.alerts.service import sync_alerts
from adminui.alerts.snapshot import EnvironmentSnapshot, Failover
from adminui.audit.service import Target, record_call
from adminui.keys.history import Trigger, record_states
from adminui.keys.lease import Lease, held
from adminui.keys.providers import provider_info
from adminui.models import AuditEvent
from adminui.posthog import (
    Evaluation,
    PostHogEnvironment,
    PostHogError,
    PostHogNotFound,
    PostHogRateLimited,
    PostHogValidationError,
    ProviderKey,
    get_client,
    get_environments,
)
from adminui.posthog.client import PostHogClient
from adminui.web.concurrency import gather

logger = logging.getLogger("adminui.keys.sweep")

SCHEDULER = "Scheduler"  # the actor the audit log and the history name
LEASE_NAME = "key-sweep"
# Errors about one key; any other (PostHog down, the portal's key refused) ends the environment.
KEY_ERRORS = (PostHogNotFound, PostHogValidationError)


@dataclass
class SweepSummary:
    environment: PostHogEnvironment
    checked: int = 0
    skipped: int = 0
    changed: int = 0
    failed: int = 0
    failover: Failover | None = None
    # Why the keys could not be listed, or why checking stopped early ("" when neither).
    problem: str = ""
    keys: list[ProviderKey] = field(default_factory=list)

    @property
    def reached_posthog(self) -> bool:
        return not self.problem


def sweep(
    environment: str | None = None, *, spread: float | None = None, force: bool = False
) -> list[SweepSummary] | None:
    """One sweep of one environment (a slug) or all of them; None when another is running."""
    environments = get_environments()
    chosen = [environments[environment]] if environment else list(environments.values())
    spread = settings.KEY_CHECK_SPREAD_SECONDS if spread is None else spread
    ttl = timedelta(seconds=settings.KEY_CHECK_MAX_WAIT_SECONDS + 2 * spread + 300)
    with held(LEASE_NAME, ttl) as lease:
        if lease is None:
            logger.info("Another key sweep is running; this one stops.")
            return None
        return [sweep_environment(env, lease, spread=spread, force=force) for env in chosen]


def sweep_environment(
    environment: PostHogEnvironment, lease: Lease, *, spread: float, force: bool = False
) -> SweepSummary:
    client = get_client(environment)
    loaded = gather(
        {
            "keys": client.list_provider_keys,
            "config": client.get_evaluation_config,
            "evaluations": lambda: all_evaluations(client),
            "integrations": client.list_integrations,
        }
    )
    summary = SweepSummary(environment)
    config = loaded["config"].value if loaded["config"].ok else None
    active_id = config.active_provider_key.id if config and config.active_provider_key else None
    if loaded["keys"].error:
        summary.problem = loaded["keys"].error.message
        keys = None
    else:
        keys = check_keys(environment, list(loaded["keys"].value), summary, lease, spread, force)
        if environment.failover and config is not None and active_id:
            summary.failover = fail_over(environment, keys, active_id, summary)
            if summary.failover:
                active_id = summary.failover.to_key.id
    sync_alerts(
        EnvironmentSnapshot(
            environment=environment,
            keys=keys,
            active_key_id=active_id if config is not None else None,
            evaluations=loaded["evaluations"].value if loaded["evaluations"].ok else None,
            integrations=loaded["integrations"].value if loaded["integrations"].ok else None,
            failover=summary.failover,
        )
    )
    return summary


def all_evaluations(client: PostHogClient) -> list[Evaluation]:
    evaluations, offset = [], 0
    while True:
        page = client.list_evaluations(limit=100, offset=offset)
        evaluations += page.results
        if page.next_offset is None:
            return evaluations
        offset = page.next_offset


def check_keys(
    environment: PostHogEnvironment,
    keys: list[ProviderKey],
    summary: SweepSummary,
    lease: Lease,
    spread: float,
    force: bool,
) -> list[ProviderKey]:
    """Each due key validated in turn; answers every key as now known (checked or listed)."""
    recent = set() if force else recently_validated(environment)
    current = {key.id: key for key in keys}
    checked: list[ProviderKey] = []
    for key in keys:
        if key.id in recent:
            summary.skipped += 1
            continue
        if checked and spread:
            time.sleep(random.uniform(0, spread))  # noqa: S311 (jitter, not a secret)
        if not lease.renew():
            summary.problem = "Another sweep took over: this one stopped."
            break
        try:
            result = validate_patiently(environment, key)
        except KEY_ERRORS as error:
            summary.failed += 1
            logger.warning("Key %s could not be checked: %s", key.id, error.message)
            continue
        except PostHogError as error:
            summary.failed += 1
            summary.problem = error.message
            break
        summary.checked += 1
        checked.append(result)
        current[key.id] = result
    checked_ids = {key.id for key in checked}
    unchecked = [key for key in current.values() if key.id not in checked_ids]
    changes = record_states(environment, checked, trigger=Trigger.SCHEDULE, actor_name=SCHEDULER)
    changes += record_states(environment, unchecked, trigger=Trigger.LISTING)
    summary.changed = sum(1 for change in changes if change.from_state)
    summary.keys = list(current.values())
    return summary.keys


def recently_validated(environment: PostHogEnvironment) -> set[str]:
    """Keys the portal validated (anyone, any way) within ``KEY_CHECK_SKIP_MINUTES``."""
    minutes = settings.KEY_CHECK_SKIP_MINUTES
    if not minutes:
        return set()
    return set(
        AuditEvent.objects.filter(
            environment=environment.slug,
            action="provider_key.validate",
            outcome=AuditEvent.Outcome.SUCCESS,
            created_at__gte=timezone.now() - timedelta(minutes=minutes),
        ).values_list("target_id", flat=True)
    )


def validate_patiently(environment: PostHogEnvironment, key: ProviderKey) -> ProviderKey:
    """Validate one key; on PostHog's 429, wait as it asks (within the cap) and try once more."""
    call = validation(environment, key)
    try:
        return call()
    except PostHogRateLimited as error:
        wait = float(error.retry_after if error.retry_after is not None else 30)
        if wait > settings.KEY_CHECK_MAX_WAIT_SECONDS:
            raise
        logger.info("PostHog is rate limiting key checks: waiting %.0f s.", wait)
        time.sleep(wait)
        return call()


def validation(environment: PostHogEnvironment, key: ProviderKey) -> Callable[[], ProviderKey]:
    return lambda: record_call(
        None,
        environment,
        actor_name=SCHEDULER,
        action="provider_key.validate",
        target=Target("provider_key", key.id, key.name),
        sent=None,
        call=lambda: get_client(environment).validate_provider_key(key.id),
    )


def fail_over(
    environment: PostHogEnvironment, keys: list[ProviderKey], active_id: str, summary: SweepSummary
) -> Failover | None:
    """Make a healthy key of the active key's provider active when the active key failed."""
    active = next((key for key in keys if key.id == active_id), None)
    if active is None or active.state not in ("invalid", "error"):
        return None
    replacement = next(
        (
            key
            for key in sorted(keys, key=lambda key: key.name.casefold())
            if key.provider == active.provider
            and key.id != active.id
            and key.is_healthy
            and provider_info(key.provider).can_be_active
        ),
        None,
    )
    if replacement is None:
        return None
    try:
        record_call(
            None,
            environment,
            actor_name=SCHEDULER,
            action="evaluation_config.set_active_key",
            target=Target("provider_key", replacement.id, replacement.name),
            sent={"key_id": replacement.id, "failover_from": active.id},
            call=lambda: get_client(environment).set_active_key(replacement.id),
        )
    except PostHogError as error:
        summary.failed += 1
        logger.warning("Failover to key %s was refused: %s", replacement.id, error.message)
        return None
    return Failover(from_key=active, to_key=replacement)
