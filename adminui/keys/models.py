"""What the portal stores about provider keys: each observed change of a key's state, and the
lease that keeps scheduled sweeps one at a time across instances."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class KeyStateChange(models.Model):
    """A key's state as PostHog reported it, stored only when it differs from the last one seen
    (``from_state`` is blank for the first observation). Nothing secret is stored: the key's
    name, its state and PostHog's message."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "the scheduled check"
        PERSON = "person", "a person's validation"
        BULK = "bulk", "a bulk validation"
        LISTING = "listing", "a key list"

    environment = models.SlugField(max_length=64)
    key_id = models.CharField(max_length=64)
    key_name = models.CharField(max_length=255, blank=True)
    provider = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)
    # The id of the key's change this one follows (0 for its first): unique per key, so a
    # change seen by two requests at once is stored once (adminui/keys/history.py).
    follows = models.BigIntegerField(default=0)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    message = models.TextField(blank=True)
    # A slug of adminui.keys.failures.FAILURE_CLASSES; blank while the key has not failed.
    failure_class = models.CharField(max_length=32, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["environment", "key_id", "-at"], name="adminui_keystate_key_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "key_id", "follows"], name="adminui_keystate_once_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_name or self.key_id}: {self.from_state or '-'} -> {self.to_state}"


class SweepLease(models.Model):
    """Held by the one sweep running now: taken with a conditional UPDATE (atomic on SQLite and
    PostgreSQL), renewed as the sweep goes, and free once released or expired (a stopped
    worker's lease runs out by itself)."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or 'free'}"
