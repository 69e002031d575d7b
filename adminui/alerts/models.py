"""Alerts opened from what the key-health sweeps saw, and the notifications sent about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Alert(models.Model):
    class Kind(models.TextChoices):
        KEY_FAILING = "key_failing", "Key failing"
        ACTIVE_KEY_FAILING = "active_key_failing", "Evaluation key failing"
        EVALUATIONS_ON_FAILING_KEY = "evaluations_on_failing_key", "Evaluations on a broken key"
        INTEGRATION_RECONNECT = "integration_reconnect", "Integration needs reconnecting"
        FAILOVER = "failover", "Failover"

    class Severity(models.TextChoices):
        CRITICAL = "critical", "Critical"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    environment = models.SlugField(max_length=64)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What the alert is about: a key (by PostHog's id) or an integration, named as last seen.
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    # PostHog's message, or the portal's reason, as last seen.
    message = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_by_name = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # Every sweep sees a failing key again: it stays one alert until it resolves.
            models.UniqueConstraint(
                fields=["environment", "kind", "subject_type", "subject_id"],
                condition=~Q(status="resolved"),
                name="one_unresolved_alert_per_subject",
            )
        ]
        indexes = [models.Index(fields=["environment", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED

    @property
    def subject_path(self) -> str:
        """The portal page where someone acts on the alert."""
        if self.subject_type == "integration" and self.subject_id.isdigit():
            return reverse("integration-detail", args=[self.environment, int(self.subject_id)])
        if self.subject_type == "evaluation":
            return reverse("evaluation-detail", args=[self.environment, self.subject_id])
        if self.kind == self.Kind.EVALUATIONS_ON_FAILING_KEY:
            # The key may be deleted: the evaluations using it are the place to act.
            return reverse("evaluation-list", args=[self.environment])
        return reverse("key-detail", args=[self.environment, self.subject_id])

    @property
    def title(self) -> str:
        """One line naming what happened, for the list, an email subject, a Slack message."""
        label = f"“{self.subject_label or self.subject_id}”"
        if self.subject_type == "evaluation":
            return f"PostHog stopped the evaluation {label}"
        return {
            self.Kind.KEY_FAILING: f"Key {label} is failing",
            self.Kind.ACTIVE_KEY_FAILING: f"The evaluation key {label} is failing",
            self.Kind.EVALUATIONS_ON_FAILING_KEY: f"Evaluations use the broken key {label}",
            self.Kind.INTEGRATION_RECONNECT: f"Integration {label} needs reconnecting",
            self.Kind.FAILOVER: f"Evaluations moved off the failing key {label}",
        }[self.Kind(self.kind)]


class AlertNotification(models.Model):
    """One message to one channel: sent by a task, retried with backoff, given up on after
    ``ALERT_NOTIFY_ATTEMPTS``. Where the channel sends is read from the settings when it is
    sent, so no URL or secret is ever stored."""

    class Event(models.TextChoices):
        OPENED = "opened", "Opened"
        RESOLVED = "resolved", "Resolved"
        TEST = "test", "Test"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    created_at = models.DateTimeField(auto_now_add=True)
    environment = models.SlugField(max_length=64)
    event = models.CharField(max_length=16, choices=Event.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Several alerts in one notification make a digest.
    alerts = models.ManyToManyField(Alert, related_name="notifications")
    # The JSON the generic webhook receives; email and Slack are written from it too.
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} about {self.event} alerts ({self.status})"
