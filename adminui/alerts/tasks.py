"""Notifications leave through the task queue: a sweep never waits on a mail server or Slack.

A failed delivery is queued again with ``run_after`` (``ALERT_RETRY_BACKOFF`` seconds, doubling
each time); after ``ALERT_NOTIFY_ATTEMPTS`` tries, or at once when trying again cannot help, the
notification is marked as given up, with the reason, and logged. An unexpected error (a bug,
not the receiver) is given up on at once, named by its type only.

Each task carries the try it is: it claims that try on the row (an update conditional on the
tries so far), so a task run twice, or a stale copy of it, sends nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from adminui.alerts.channels import channels_for
from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.notify import payload, send
from adminui.alerts.sender import DeliveryError
from adminui.posthog import PostHogEnvironment, get_environment

logger = logging.getLogger("adminui.alerts")
Status = AlertNotification.Status


def notify(event: str, environment: PostHogEnvironment, alerts: Sequence[Alert]) -> None:
    """Queue one notification per configured channel, sent once the caller's transaction
    commits (so the worker finds the alerts)."""
    body = payload(event, environment, alerts)
    for channel in channels_for(environment).configured:
        notification = AlertNotification.objects.create(
            environment=environment.slug, event=event, channel=channel, payload=body
        )
        notification.alerts.set(alerts)
        transaction.on_commit(partial(deliver_notification.enqueue, notification.pk, 1))


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try: the backoff, doubled after every failed try, at most 1 h."""
    seconds = settings.ALERT_RETRY_BACKOFF * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, 3600.0))


@task()
def deliver_notification(notification_id: int, attempt: int) -> str:
    """Make try number `attempt` of one notification, unless that try was claimed already."""
    claimed = AlertNotification.objects.filter(
        pk=notification_id, status=Status.PENDING, attempts=attempt - 1
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = AlertNotification.objects.get(pk=notification_id)
    try:
        channels = channels_for(get_environment(notification.environment))
        send(notification.channel, notification, channels)
    except (DeliveryError, LookupError) as error:
        return failed(notification, error)
    except Exception as error:
        # Logged through the redacting filter; the row names only the error's type.
        logger.exception("The %s notification %s broke", notification.channel, notification.pk)
        return failed(notification, RuntimeError(f"Unexpected error ({type(error).__name__})."))
    notification.status, notification.sent_at = Status.SENT, timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return Status.SENT


def failed(notification: AlertNotification, error: Exception) -> str:
    notification.last_error = str(error)
    permanent = not isinstance(error, DeliveryError) or error.permanent
    if permanent or notification.attempts >= settings.ALERT_NOTIFY_ATTEMPTS:
        notification.status = Status.FAILED
        logger.error(
            "Gave up on the %s notification %s after %s tries: %s",
            notification.channel,
            notification.pk,
            notification.attempts,
            notification.last_error,
        )
    notification.save(update_fields=["attempts", "status", "last_error"])
    if notification.status == Status.FAILED:
        return Status.FAILED
    delay = retry_delay(notification.attempts)
    logger.warning(
        "The %s notification %s failed (try %s), trying again in %s s: %s",
        notification.channel,
        notification.pk,
        notification.attempts,
        int(delay.total_seconds()),
        notification.last_error,
    )
    retry = deliver_notification
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + delay)
    retry.enqueue(notification.pk, notification.attempts + 1)
    return "retrying"
