"""Opening, resolving and notifying alerts.

Each sweep's snapshot says which conditions hold now. A condition not yet alerted opens an alert
(one per environment, kind and subject: a partial unique constraint keeps it so); an unresolved
alert whose condition the snapshot no longer shows resolves. A list the sweep could not read
(``None``) decides nothing: the alerts that depend on it stay as they are. People are told once
per opening and once per resolving, in one digest when more than ``ALERT_DIGEST_THRESHOLD``
change in one sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.snapshot import EnvironmentSnapshot
from adminui.alerts.tasks import notify
from adminui.evaluations import kinds
from adminui.keys.providers import FAILING_STATES
from adminui.ops.cache import current_generation, next_generation
from adminui.posthog import Evaluation, ProviderKey
from adminui.posthog.redaction import redact

Kind, Severity, Status = Alert.Kind, Alert.Severity, Alert.Status
Event = AlertNotification.Event
UNRESOLVED = (Status.OPEN, Status.ACKNOWLEDGED)


@dataclass(frozen=True)
class Condition:
    """Something the snapshot shows that people should know about."""

    kind: str
    subject_type: str
    subject_id: str
    subject_label: str
    severity: str
    message: str

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_type, self.subject_id)


def key_failure(key: ProviderKey) -> str:
    return key.error_message or f"PostHog reports the key as {key.state}."


def key_conditions(snapshot: EnvironmentSnapshot, keys: list[ProviderKey]) -> list[Condition]:
    """A failing key; the active one is critical (evaluations without a pinned model stop)."""
    conditions = []
    for key in keys:
        if key.state not in FAILING_STATES:
            continue
        active = key.id == snapshot.active_key_id
        conditions.append(
            Condition(
                Kind.ACTIVE_KEY_FAILING if active else Kind.KEY_FAILING,
                "provider_key",
                key.id,
                key.name,
                Severity.CRITICAL if active else Severity.WARNING,
                key_failure(key),
            )
        )
    return conditions


def stopped_for_its_key(evaluation: Evaluation) -> bool:
    """PostHog stopped the evaluation because of its key (deleted, invalid, out of quota, ...);
    it stays stopped until someone gives it a working key and turns it on again."""
    reason = evaluation.status_reason or ""
    return evaluation.status == "error" and reason.startswith("provider_key_")


def evaluation_conditions(
    snapshot: EnvironmentSnapshot, keys: list[ProviderKey]
) -> list[Condition]:
    """Evaluations pinned to a failing or deleted key (one alert per key, naming them), and
    evaluations PostHog stopped for their key (one each: a deleted key leaves no id behind)."""
    by_id = {key.id: key for key in keys}
    users: dict[str, list[Evaluation]] = {}
    conditions = []
    for evaluation in snapshot.evaluations or []:
        pinned = evaluation.model_configuration
        key_id = pinned.provider_key_id if pinned else None
        key = by_id.get(key_id) if key_id else None
        broken = key_id is not None and (key is None or key.state in FAILING_STATES)
        if broken and (evaluation.enabled or stopped_for_its_key(evaluation)):
            users.setdefault(str(key_id), []).append(evaluation)
        elif stopped_for_its_key(evaluation):
            reason = kinds.label(kinds.STATUS_REASONS, evaluation.status_reason)
            conditions.append(
                Condition(
                    Kind.EVALUATIONS_ON_FAILING_KEY,
                    "evaluation",
                    evaluation.id,
                    evaluation.name,
                    Severity.CRITICAL,
                    f"PostHog stopped it: {reason}. Give it a working key and turn it on again.",
                )
            )
    for key_id, evaluations in users.items():
        key = by_id.get(key_id)
        why = f"which is failing: {key_failure(key)}" if key else "which was deleted."
        listed = ", ".join(sorted(f"“{evaluation.name}”" for evaluation in evaluations))
        verb = "uses" if len(evaluations) == 1 else "use"
        count = f"{len(evaluations)} evaluation{'s' if len(evaluations) != 1 else ''}"
        pinned = evaluations[0].model_configuration
        name = key.name if key else (pinned.provider_key_name if pinned else None) or ""
        conditions.append(
            Condition(
                Kind.EVALUATIONS_ON_FAILING_KEY,
                "provider_key",
                key_id,
                name,
                Severity.CRITICAL,
                f"{count} ({listed}) {verb} this key, {why}",
            )
        )
    return conditions


def integration_conditions(snapshot: EnvironmentSnapshot) -> list[Condition]:
    return [
        Condition(
            Kind.INTEGRATION_RECONNECT,
            "integration",
            str(integration.id),
            integration.display_name,
            Severity.WARNING,
            "PostHog could not refresh its token: reconnect it in PostHog.",
        )
        for integration in snapshot.integrations or []
        if integration.needs_reconnecting
    ]


def failover_conditions(snapshot: EnvironmentSnapshot, keys: list[ProviderKey]) -> list[Condition]:
    """A failover is told once and stays open while the key it replaced is still failing."""
    still_failing = {key.id for key in keys if key.state in FAILING_STATES}
    conditions = [
        Condition(
            Kind.FAILOVER,
            "provider_key",
            alert.subject_id,
            alert.subject_label,
            alert.severity,
            alert.message,
        )
        for alert in unresolved(snapshot.environment.slug).filter(kind=Kind.FAILOVER)
        if alert.subject_id in still_failing
    ]
    if snapshot.failover:
        failed, replacement = snapshot.failover.from_key, snapshot.failover.to_key
        conditions.append(
            Condition(
                Kind.FAILOVER,
                "provider_key",
                failed.id,
                failed.name,
                Severity.INFO,
                f"“{failed.name}” failed its check ({key_failure(failed)}), so evaluations now "
                f"use “{replacement.name}”.",
            )
        )
    return conditions


def current_conditions(snapshot: EnvironmentSnapshot) -> tuple[list[Condition], set[str]]:
    """The conditions the snapshot shows, and the kinds it can decide about."""
    conditions: list[Condition] = []
    decided: set[str] = set()
    if snapshot.keys is not None:
        if snapshot.config_known:  # else a failing key's kind (active or not) is unknown
            conditions += key_conditions(snapshot, snapshot.keys)
            decided |= {Kind.KEY_FAILING, Kind.ACTIVE_KEY_FAILING}
        conditions += failover_conditions(snapshot, snapshot.keys)
        decided.add(Kind.FAILOVER)
        if snapshot.evaluations is not None:
            conditions += evaluation_conditions(snapshot, snapshot.keys)
            decided.add(Kind.EVALUATIONS_ON_FAILING_KEY)
    if snapshot.integrations is not None:
        conditions += integration_conditions(snapshot)
        decided.add(Kind.INTEGRATION_RECONNECT)
    return list({c.identity: c for c in conditions}.values()), decided


def unresolved(environment: str) -> QuerySet[Alert]:
    return Alert.objects.filter(environment=environment, status__in=UNRESOLVED)


def sync_alerts(snapshot: EnvironmentSnapshot) -> None:
    """Open alerts for the conditions the snapshot shows and resolve the ones that cleared."""
    environment = snapshot.environment
    conditions, decided = current_conditions(snapshot)
    with transaction.atomic():
        existing = {
            (a.kind, a.subject_type, a.subject_id): a
            for a in unresolved(environment.slug).select_for_update()
        }
        opened = [
            alert
            for condition in conditions
            if (alert := open_or_update(environment.slug, condition, existing, snapshot))
        ]
        shown = {condition.identity for condition in conditions}
        cleared = [a for ident, a in existing.items() if a.kind in decided and ident not in shown]
        for alert in cleared:
            alert.status, alert.resolved_at = Status.RESOLVED, snapshot.taken_at
            alert.save(update_fields=["status", "resolved_at"])
        for batch in batches(opened):
            notify(Event.OPENED, environment, batch)
        for batch in batches(cleared):
            notify(Event.RESOLVED, environment, batch)


def open_or_update(
    environment: str,
    condition: Condition,
    existing: dict[tuple[str, str, str], Alert],
    snapshot: EnvironmentSnapshot,
) -> Alert | None:
    """The alert opened for a new condition; ``None`` when one was already open (its label and
    message follow what PostHog says now)."""
    alert = existing.get(condition.identity)
    # PostHog's words may echo what it was sent: no registered secret is stored or shown.
    label, message = redact(condition.subject_label)[:255], redact(condition.message)
    if alert is not None:
        now = (label, message)
        if (alert.subject_label, alert.message) != now:
            alert.subject_label, alert.message = now
            alert.save(update_fields=["subject_label", "message"])
        return None
    try:
        with transaction.atomic():  # another sweep may have opened it a moment ago
            return Alert.objects.create(
                environment=environment,
                kind=condition.kind,
                subject_type=condition.subject_type,
                subject_id=condition.subject_id,
                subject_label=label,
                severity=condition.severity,
                message=message,
                opened_at=snapshot.taken_at,
            )
    except IntegrityError:
        return None


def batches(alerts: list[Alert]) -> list[list[Alert]]:
    """One notification per alert, or one digest of them all when there are many."""
    if len(alerts) > settings.ALERT_DIGEST_THRESHOLD:
        return [alerts]
    return [[alert] for alert in alerts]


def acknowledge(alert: Alert, user: User) -> bool:
    """Mark an open alert as seen; it stays listed until it resolves. False if it was not open."""
    changed = Alert.objects.filter(pk=alert.pk, status=Status.OPEN).update(
        status=Status.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=user,
        acknowledged_by_name=user.get_username(),
    )
    alert.refresh_from_db()
    if changed:  # an update() sends no post_save
        forget_open_counts()
    return bool(changed)


def open_alerts_by_environment(slugs: Iterable[str]) -> dict[str, list[Alert]]:
    """The unresolved alerts of each environment, most severe and newest first (for the All
    environments page and the Overview)."""
    slugs = list(slugs)
    grouped: dict[str, list[Alert]] = {slug: [] for slug in slugs}
    order: dict[str, int] = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    alerts = Alert.objects.filter(environment__in=slugs, status__in=UNRESOLVED)
    for alert in sorted(alerts, key=lambda a: (order.get(a.severity, 3), -a.opened_at.timestamp())):
        grouped[alert.environment].append(alert)
    return grouped


# The navigation shows the count on every page, so it is kept in the cache (shared by every
# instance) under a generation that any change to an alert moves on. A cache each process keeps
# (the demo's local memory) does not hear of changes made in the worker: hence the timeout.
COUNT_GENERATION = "alerts:count-generation"
COUNT_SECONDS = 15


def open_alert_count(slugs: Iterable[str]) -> int:
    """Alerts nobody has acknowledged yet, for the navigation."""
    slugs = sorted(set(slugs))
    key = f"alerts:open-count:{current_generation(COUNT_GENERATION)}:{','.join(slugs)}"
    if (count := cache.get(key)) is None:
        counted = Alert.objects.filter(environment__in=slugs, status=Status.OPEN)
        count = counted.aggregate(count=Count("id"))["count"]
        cache.set(key, count, timeout=COUNT_SECONDS)
    return count


@receiver(post_save, sender=Alert)
@receiver(post_delete, sender=Alert)
def forget_open_counts(**kwargs) -> None:
    """Now, and again once the change is committed: a count another request takes in between
    (still without it) must not be kept as the new generation's."""
    next_generation(COUNT_GENERATION)
    transaction.on_commit(lambda: next_generation(COUNT_GENERATION))
