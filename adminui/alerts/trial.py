"""An Admin's test notification: sent at once to every channel (at the same time, so the page
waits at most one channel's timeout), and said per channel: sent, not configured, or failed
and why. Each is recorded like any notification, but never retried."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

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

    with ThreadPoolExecutor(max_workers=max(len(notifications), 1)) as pool:
        errors = list(pool.map(attempt, notifications))
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
