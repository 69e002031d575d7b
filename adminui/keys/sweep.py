"""The key-health sweep: validate every due key of every environment, record what changed, fail
over a failing active key where the environment opted in, and hand what it saw to the alerts.

A sweep is a plan of steps, one ``validate`` per due key and then, per environment, a finishing
step (read the keys, the evaluation config, the evaluations and the integrations again, fail
over, `sync_alerts`). `manage.py check_keys` runs the steps one after another; the scheduled
task (`adminui.keys.tasks.sweep_keys`) runs one step per task and queues the next with a random
delay of up to ``KEY_CHECK_SPREAD_SECONDS``, so checks are spread out, the worker is free between
them for summaries, and a restarted worker picks the sweep up where it stopped (the plan is in
the queue). One sweep runs at a time across every instance: each step renews the sweep's lease
(`adminui.keys.lease`), and a sweep that cannot take it does nothing.

Keys the portal validated within ``KEY_CHECK_SKIP_MINUTES`` are not checked again (PostHog does
not say when it last checked a key: the audit log does). PostHog's 429 is waited for (its
``Retry-After``, at most ``KEY_CHECK_MAX_WAIT_SECONDS``) and the key tried once more; a second
refusal, a longer wait or PostHog failing otherwise ends that environment's checks until the
next sweep: PostHog is never hammered.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from adminui.alerts.service import sync_alerts
from adminui.alerts.snapshot import EnvironmentSnapshot, Failover
from adminui.audit.service import Target, record_call
from adminui.keys.history import Trigger, record_states
from adminui.keys.lease import Lease, held
from adminui.keys.providers import FAILING_STATES, provider_info
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
# A step, as JSON for the task queue: ["check", slug, key id, key name] or ["finish", slug].
Step = list[str]


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

    @property
    def reached_posthog(self) -> bool:
        return not self.problem


def lease_ttl(spread: float) -> timedelta:
    """Long enough for one step and the pause before the next (an LLM call, a 429's wait)."""
    return timedelta(seconds=spread + settings.KEY_CHECK_MAX_WAIT_SECONDS + 300)


def sweep(
    environment: str | None = None, *, spread: float = 0, force: bool = False
) -> list[SweepSummary] | None:
    """One whole sweep now, of one environment (a slug) or all; None when another is running."""
    with held(LEASE_NAME, lease_ttl(spread)) as lease:
        if lease is None:
            logger.info("Another key sweep is running; this one stops.")
            return None
        summaries: dict[str, SweepSummary] = {}
        run_steps(lease, plan(environment, force, summaries), summaries, spread)
        return list(summaries.values())


def run_steps(
    lease: Lease,
    steps: list[Step],
    summaries: dict[str, SweepSummary] | None = None,
    spread: float = 0,
) -> None:
    """Run the steps in turn while the lease stays ours, up to `spread` seconds apart."""
    while steps:
        if steps[0][0] == "check" and spread:
            time.sleep(random.uniform(0, spread))  # noqa: S311 (jitter, not a secret)
        if not lease.renew():
            break
        steps = run_step(steps, summaries)


def plan(
    slug: str | None, force: bool, summaries: dict[str, SweepSummary] | None = None
) -> list[Step]:
    """The steps of a sweep: each due key's check, then each environment's finish."""
    environments = get_environments()
    chosen = [environments[slug]] if slug else list(environments.values())
    steps: list[Step] = []
    for environment in chosen:
        summary = SweepSummary(environment)
        if summaries is not None:
            summaries[environment.slug] = summary
        keys: list[ProviderKey] = []
        try:
            keys = get_client(environment).list_provider_keys()
        except PostHogError as error:
            summary.problem = error.message
        recent = set() if force else recently_validated(environment)
        summary.skipped = sum(1 for key in keys if key.id in recent)
        steps += [
            ["check", environment.slug, key.id, key.name] for key in keys if key.id not in recent
        ]
        steps.append(["finish", environment.slug])
    return steps


def run_step(steps: list[Step], summaries: dict[str, SweepSummary] | None = None) -> list[Step]:
    """Run the first step; answers the steps left (an environment's checks dropped when PostHog
    failed in a way that would fail them all)."""
    step, rest = steps[0], steps[1:]
    environment = get_environments().get(step[1])
    if environment is None:  # gone from the configuration since the sweep was planned
        return [later for later in rest if later[1] != step[1]]
    summary = (summaries or {}).get(environment.slug) or SweepSummary(environment)
    if step[0] == "finish":
        finish(environment, summary)
        return rest
    try:
        checked = validate_patiently(environment, step[2], step[3])
    except KEY_ERRORS as error:
        summary.failed += 1
        logger.warning("Key %s could not be checked: %s", step[2], error.message)
        return rest
    except PostHogError as error:
        summary.failed += 1
        summary.problem = error.message
        logger.warning("Key checks of %s stop until the next sweep: %s", step[1], error.message)
        return [later for later in rest if later[:2] != ["check", step[1]]]
    summary.checked += 1
    changes = record_states(environment, [checked], trigger=Trigger.SCHEDULE, actor_name=SCHEDULER)
    summary.changed += sum(1 for change in changes if change.from_state)
    return rest


def finish(environment: PostHogEnvironment, summary: SweepSummary) -> None:
    """Read what the checks left, fail over if opted in, and hand the snapshot to the alerts."""
    client = get_client(environment)
    loaded = gather(
        {
            "keys": client.list_provider_keys,
            "config": client.get_evaluation_config,
            "evaluations": lambda: all_evaluations(client),
            "integrations": client.list_integrations,
        }
    )
    config = loaded["config"].value if loaded["config"].ok else None
    active_id = config.active_provider_key.id if config and config.active_provider_key else None
    keys: list[ProviderKey] | None = None
    if error := loaded["keys"].error:
        summary.problem = summary.problem or error.message
    else:
        keys = list(loaded["keys"].value)
        # Keys the sweep skipped or could not check, as PostHog lists them now.
        changes = record_states(environment, keys, trigger=Trigger.LISTING)
        summary.changed += sum(1 for change in changes if change.from_state)
        if environment.failover and active_id:
            summary.failover = fail_over(environment, keys, active_id, summary)
            if summary.failover:
                active_id = summary.failover.to_key.id
    sync_alerts(
        EnvironmentSnapshot(
            environment=environment,
            keys=keys,
            active_key_id=active_id,
            config_known=config is not None,
            evaluations=loaded["evaluations"].value if loaded["evaluations"].ok else None,
            integrations=loaded["integrations"].value if loaded["integrations"].ok else None,
            failover=summary.failover,
        )
    )


def all_evaluations(client: PostHogClient) -> list[Evaluation]:
    evaluations, offset = [], 0
    while True:
        page = client.list_evaluations(limit=100, offset=offset)
        evaluations += page.results
        if page.next_offset is None:
            return evaluations
        offset = page.next_offset


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


def validate_patiently(environment: PostHogEnvironment, key_id: str, name: str) -> ProviderKey:
    """Validate one key (audited as the scheduler's); on PostHog's 429, wait as it asks (within
    the cap) and try once more."""

    def validate() -> ProviderKey:
        return record_call(
            None,
            environment,
            actor_name=SCHEDULER,
            action="provider_key.validate",
            target=Target("provider_key", key_id, name),
            sent=None,
            call=lambda: get_client(environment).validate_provider_key(key_id),
        )

    try:
        return validate()
    except PostHogRateLimited as error:
        wait = float(error.retry_after if error.retry_after is not None else 30)
        if wait > settings.KEY_CHECK_MAX_WAIT_SECONDS:
            raise
        logger.info("PostHog is rate limiting key checks: waiting %.0f s.", wait)
        time.sleep(wait)
        return validate()


def fail_over(
    environment: PostHogEnvironment, keys: list[ProviderKey], active_id: str, summary: SweepSummary
) -> Failover | None:
    """Make a healthy key of the active key's provider active when the active key failed."""
    active = next((key for key in keys if key.id == active_id), None)
    if active is None or active.state not in FAILING_STATES:
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
