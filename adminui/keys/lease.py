"""A lease in the database that one process holds at a time: "exactly one sweep runs".

Taking it is one conditional UPDATE ("free, expired, or already mine"), which the database runs
atomically on SQLite and PostgreSQL alike, so of two instances that try at once exactly one
gets a row count of 1. The holder renews it as it works; a process that dies without releasing
it loses it when it expires, so the next sweep is never blocked for long.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from adminui.keys.models import SweepLease

# SQLite answers a writer that meets another one's lock with "database is locked" instead of
# waiting (at once with a shared-cache database, as in tests; after its busy timeout with a
# file): the lease is asked again for about a second before the error stands.
LOCKED_TRIES = 20
LOCKED_PAUSE_SECONDS = 0.05


class Lease:
    """``holder`` names who holds it, so a sweep's next step (another task) renews the same."""

    def __init__(self, name: str, ttl: timedelta, holder: str | None = None) -> None:
        self.name, self.ttl = name, ttl
        self.holder = holder or uuid.uuid4().hex

    def take(self) -> bool:
        """Take the lease (or extend it, when held); False when another holder has it."""
        for _ in range(LOCKED_TRIES - 1):
            try:
                return self._take()
            except OperationalError:
                time.sleep(LOCKED_PAUSE_SECONDS)
        return self._take()

    def _take(self) -> bool:
        SweepLease.objects.bulk_create([SweepLease(name=self.name)], ignore_conflicts=True)
        now = timezone.now()
        free = Q(expires_at__isnull=True) | Q(expires_at__lte=now) | Q(holder=self.holder)
        taken = SweepLease.objects.filter(free, name=self.name).update(
            holder=self.holder, expires_at=now + self.ttl
        )
        return taken == 1

    renew = take

    def release(self) -> None:
        SweepLease.objects.filter(name=self.name, holder=self.holder).update(
            holder="", expires_at=None
        )


@contextmanager
def held(name: str, ttl: timedelta) -> Iterator[Lease | None]:
    """The lease while the block runs, or None when another process holds it."""
    lease = Lease(name, ttl)
    if not lease.take():
        yield None
        return
    try:
        yield lease
    finally:
        lease.release()
