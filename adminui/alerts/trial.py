"""An Admin's test notification: sent to every channel at the same time, and said per channel:
sent, not configured, or failed and why. It runs in the web request, so the whole trial has one
deadline (``ALERT_TEST_TIMEOUT``): a channel still busy then (SMTP and HTTP timeouts are per
operation) is left to finish in the background and reported as not answering. Each is recorded
like any notification, but never retried."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.utils import timezone

from adminui.alerts.channels import Channel, channels_for
from adminui.alerts.models import AlertNotification
from adminui.alerts.notify import payload, send
from adminui.alerts.sender import DeliveryError
from adminui.posthog import PostHogEnvironment

Status = AlertNotification.Status
# What configures each channel, for "not configured".
VARIABLES = {
    Channel.EMAIL: "ALERT_EMAIL_TO",
    Channel.SLACK: "ALERT_SLACK_WEBHOOK_URL",
    Channel.WEBHOOK: "ALERT_WEBHOOK_URL",
}


@dataclass(frozen=True)
class ChannelResult:
    channel: str
    level: int
    text: str


def send_test_notification(environment: PostHogEnvironment) -> list[ChannelResult]:
    channels = channels_for(environment)
    body = payload(AlertNotification.Event.TEST, environment, [])
    notifications = [
        AlertNotification.objects.create(
            environment=environment.slug, event=body["event"], channel=channel, payload=body
        )
        for channel in channels.configured
    ]

    def attempt(notification: AlertNotification) -> str:
        try:
            send(notification.channel, notification, channels)
        except DeliveryError as error:
            return str(error)
        return ""

    deadline = settings.ALERT_TEST_TIMEOUT
    pool = ThreadPoolExecutor(max_workers=max(len(notifications), 1))
    futures = [pool.submit(attempt, notification) for notification in notifications]
    wait(futures, timeout=deadline)
    pool.shutdown(wait=False)  # a channel past the deadline finishes on its own

    def outcome(future: Future[str]) -> str:
        return future.result() if future.done() else f"No answer within {deadline:g} s."

    errors = [outcome(future) for future in futures]
    results = {}
    for notification, error in zip(notifications, errors, strict=True):
        notification.attempts, notification.last_error = 1, error
        notification.status = Status.FAILED if error else Status.SENT
        notification.sent_at = None if error else timezone.now()
        notification.save()
        label = notification.get_channel_display()
        results[notification.channel] = (
            ChannelResult(notification.channel, messages.ERROR, f"{label}: failed. {error}")
            if error
            else ChannelResult(notification.channel, messages.SUCCESS, f"{label}: test sent.")
        )
    return [
        results.get(
            channel,
            ChannelResult(
                channel, messages.INFO, f"{channel.label}: not configured (set {variable})."
            ),
        )
        for channel, variable in VARIABLES.items()
    ]
