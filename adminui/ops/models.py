"""The one table of the ops app: when each background worker last said it was alive."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written every few seconds by `manage.py worker`; /readyz reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.beat_at:%H:%M:%S}"
