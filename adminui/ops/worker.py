"""The background worker's heartbeat, which /readyz reads."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from adminui.ops.health import HEARTBEAT_SECONDS
from adminui.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Workers get a new id at each start: forget the beats of ones long gone.
FORGET_AFTER = timedelta(days=1)


class Heartbeat:
    """A daemon thread that records ``worker_id`` as alive every `HEARTBEAT_SECONDS`.

    It beats from its own thread, so a task that waits 90 s on an LLM does not make the worker
    look dead; a database outage only skips beats.
    """

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=HEARTBEAT_SECONDS)

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id, defaults={"beat_at": now}
        )
        WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.beat()
            except DatabaseError as error:
                logger.warning("Worker heartbeat skipped: %s", type(error).__name__)
            finally:
                close_old_connections()
            self._stopped.wait(HEARTBEAT_SECONDS)
