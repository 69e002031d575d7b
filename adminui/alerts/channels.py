"""Where one environment's alerts go: its own channels from the environments file, else the
global ``ALERT_*`` settings. Read when a notification is sent, so nothing secret is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from adminui.alerts.models import AlertNotification
from adminui.posthog import PostHogEnvironment
from adminui.posthog.redaction import register_secret

Channel = AlertNotification.Channel


@dataclass(frozen=True)
class Channels:
    """Resolved destinations; URLs and the secret never shown by ``repr``."""

    email_to: tuple[str, ...]
    slack_webhook_url: str = field(default="", repr=False)
    webhook_url: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)

    @property
    def configured(self) -> list[str]:
        """The channels with somewhere to send, in the order people read about them."""
        destinations = {
            Channel.EMAIL: self.email_to,
            Channel.SLACK: self.slack_webhook_url,
            Channel.WEBHOOK: self.webhook_url,
        }
        return [channel for channel, where in destinations.items() if where]


def smtp_options() -> dict[str, Any]:
    """The default mailer's SMTP options (none in tests, where Django swaps in its outbox)."""
    mailer: dict[str, Any] = dict(getattr(settings, "MAILERS", {}).get("default", {}))
    return dict(mailer.get("OPTIONS", {}))


def channels_for(environment: PostHogEnvironment) -> Channels:
    override = environment.alert_channels

    def pick(own: str | None, setting: str) -> str:
        value = own if own is not None else str(getattr(settings, setting, "") or "")
        register_secret(value)  # masked in every log line, page and error from now on
        return value

    register_secret(smtp_options().get("password"))
    email_to = override.email_to
    return Channels(
        email_to=tuple(email_to if email_to is not None else settings.ALERT_EMAIL_TO),
        slack_webhook_url=pick(override.slack_webhook_url, "ALERT_SLACK_WEBHOOK_URL"),
        webhook_url=pick(override.webhook_url, "ALERT_WEBHOOK_URL"),
        webhook_secret=pick(override.webhook_secret, "ALERT_WEBHOOK_SECRET"),
    )
