"""`manage.py worker`: django-tasks-db's `db_worker`, with a heartbeat and outage recovery.

Two workers never run one task: each claims the next ready task inside a transaction with
``SELECT ... FOR UPDATE SKIP LOCKED`` (django_tasks_db `DBTaskResultQuerySet.get_locked`) and
marks it RUNNING before committing, so a second worker skips that row. `summarize_evaluation`
also moves its SummaryRequest from QUEUED to RUNNING with one conditional UPDATE.

`db_worker` exits on a database error; this command waits and starts polling again instead,
so a PostgreSQL restart does not need someone to restart the worker.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands import db_worker

from adminui.ops.worker import Heartbeat

logger = logging.getLogger("adminui.ops.worker")

RETRY_AFTER_OUTAGE = 2.0


class Command(db_worker.Command):
    help = "Run queued background tasks (AI summaries), with a heartbeat for /readyz."

    def handle(self, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"]).start()
        try:
            while True:
                try:
                    return super().handle(**options)
                except DatabaseError as error:
                    logger.warning(
                        "Database unavailable (%s); polling again in %.0f s.",
                        type(error).__name__,
                        RETRY_AFTER_OUTAGE,
                    )
                    close_old_connections()
                    time.sleep(RETRY_AFTER_OUTAGE)
        finally:
            heartbeat.stop()
