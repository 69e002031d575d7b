"""`manage.py scheduler`: django-crontask's scheduler, queueing the key-health sweep.

The scheduler only queues: `sweep_keys` runs on the worker (`manage.py worker`). It queues the
first sweep ``KEY_CHECK_FIRST_DELAY_SECONDS`` after it starts, then one every
``KEY_CHECK_INTERVAL_HOURS`` (with a jitter of a tenth of the interval, so instances restarted
together do not sweep together). Two schedulers (say, one per instance) both queue the sweep;
its lease in the database lets one run and the other does nothing. crontask's optional Redis
lock is not used: it stops the scheduler whenever Redis restarts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from crontask import scheduler
from crontask.management.commands import crontask
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from adminui.keys.tasks import sweep_keys


def queue_sweep() -> None:
    """What crontask's `cron` would queue, after dropping a connection a database restart broke
    (this process lives for months and has no requests to do that)."""
    close_old_connections()
    sweep_keys.enqueue()


class Command(crontask.Command):
    help = "Queue the key-health sweep on its schedule (run one scheduler; the worker runs it)."

    def handle(self, *args: Any, **options: Any) -> None:
        interval = timedelta(hours=settings.KEY_CHECK_INTERVAL_HOURS)
        first = timezone.now() + timedelta(seconds=settings.KEY_CHECK_FIRST_DELAY_SECONDS)
        for trigger in (
            DateTrigger(run_date=first),
            IntervalTrigger(
                seconds=interval.total_seconds(),
                start_date=first + interval,
                jitter=interval.total_seconds() / 10,
            ),
        ):
            scheduler.add_job(func=queue_sweep, trigger=trigger, name=sweep_keys.name)
        self.stdout.write(
            f"Key checks: first at {timezone.localtime(first):%H:%M:%S}, then every "
            f"{settings.KEY_CHECK_INTERVAL_HOURS:g} h."
        )
        super().handle(*args, **options | {"no_task_loading": True, "no_heartbeat": True})
