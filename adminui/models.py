"""The portal's own data: the audit log of every write it sends to PostHog."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# How each recorded action reads in the log ("Jane created key Production").
ACTION_LABELS = {
    "provider_key.create": "created key",
    "provider_key.update": "edited key",
    "provider_key.delete": "deleted key",
    "provider_key.validate": "validated key",
    "evaluation_config.set_active_key": "set the evaluation key to",
    "evaluation.summarize": "asked for a summary of",
    "integration.authorize": "started connecting",
}


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept so the log still says who acted after a user is deleted.
    actor_name = models.CharField(max_length=150)
    environment = models.SlugField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)
    # What was sent, with every secret removed (see adminui.audit.record_write).
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_label or self.target_id}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
