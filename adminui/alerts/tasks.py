"""Notifications leave through the task queue: a sweep never waits on a mail server or Slack.

A failed delivery is queued again with ``run_after`` (``ALERT_RETRY_BACKOFF`` seconds, doubling
each time); after ``ALERT_NOTIFY_ATTEMPTS`` tries, or at once when trying again cannot help, the
notification is marked as given up, with the reason, and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
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
        transaction.on_commit(partial(deliver_notification.enqueue, notification.pk))


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try: the backoff, doubled after every failed try, at most 1 h."""
    seconds = settings.ALERT_RETRY_BACKOFF * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, 3600.0))


@task()
def deliver_notification(notification_id: int) -> str:
    notification = AlertNotification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status != Status.PENDING:
        return "skipped"
    notification.attempts += 1
    try:
        channels = channels_for(get_environment(notification.environment))
        send(notification.channel, notification, channels)
    except (DeliveryError, LookupError) as error:
        return failed(notification, error)
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
    retry.enqueue(notification.pk)
    return "retrying"
