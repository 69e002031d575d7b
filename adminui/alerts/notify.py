"""What a notification says, per channel: one JSON payload (the generic webhook's body), from
which the email and the Slack message are written.

The webhook is signed like Stripe's: ``X-Adminui-Signature: t=<unix time>,v1=<hex>``, where
``v1`` is HMAC-SHA256 with the shared secret over ``"<t>." + body`` (README: "Alerts").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from adminui.alerts.channels import Channel, Channels, smtp_options
from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.sender import DeliveryError, post_json
from adminui.posthog import PostHogEnvironment

Event = AlertNotification.Event
SIGNATURE_HEADER = "X-Adminui-Signature"
# A Slack message holds at most 50 blocks; a digest lists this many and counts the rest.
SLACK_LISTED = 20
SLACK_MARKS = {"critical": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}


def portal_url(path: str) -> str:
    """An absolute link into the portal (a bare path when ADMINUI_BASE_URL is not set)."""
    return f"{settings.ADMINUI_BASE_URL.rstrip('/')}{path}"


def alert_payload(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "message": alert.message,
        "subject": {
            "type": alert.subject_type,
            "id": alert.subject_id,
            "label": alert.subject_label,
            "url": portal_url(alert.subject_path),
        },
        "opened_at": alert.opened_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


def payload(event: str, environment: PostHogEnvironment, alerts: Iterable[Alert]) -> dict:
    return {
        "event": event,
        "environment": {"slug": environment.slug, "name": environment.name},
        "alerts": [alert_payload(alert) for alert in alerts],
        "url": portal_url(reverse("alert-list", args=[environment.slug])),
    }


def headline(body: dict[str, Any]) -> str:
    """The notification in one line: an email's subject, a Slack message's fallback text."""
    alerts, environment = body["alerts"], body["environment"]["name"]
    if body["event"] == Event.TEST:
        return f"Test notification from adminui ({environment})"
    if len(alerts) == 1:
        alert = alerts[0]
        state = "Resolved" if body["event"] == Event.RESOLVED else alert["severity"].title()
        return f"{state}: {alert['title']} ({environment})"
    verb = "resolved" if body["event"] == Event.RESOLVED else "opened"
    return f"{len(alerts)} alerts {verb} in {environment}"


def email_text(body: dict[str, Any]) -> str:
    if body["event"] == Event.TEST:
        lines = ["This is a test: alerts of this environment reach this address."]
    else:
        lines = []
        for alert in body["alerts"]:
            lines += [f"- {alert['title']} [{alert['severity']}]"]
            lines += [f"  {alert['message']}"] if alert["message"] else []
            lines += [f"  {alert['subject']['url']}"]
    return "\n".join([*lines, "", f"All alerts of {body['environment']['name']}: {body['url']}"])


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, text: str) -> str:
    """A Slack link; text alone when ADMINUI_BASE_URL is not set (Slack needs absolute URLs)."""
    text = slack_escape(text)
    return f"<{url}|{text}>" if url.startswith(("https://", "http://")) else text


def slack_message(body: dict[str, Any]) -> dict[str, Any]:
    """An incoming-webhook message: blocks for people, ``text`` for notifications."""
    resolved = body["event"] == Event.RESOLVED
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(body)[:150]}}
    ]
    alerts = body["alerts"]
    for alert in alerts[:SLACK_LISTED]:
        mark = ":white_check_mark:" if resolved else SLACK_MARKS.get(alert["severity"], "")
        title = slack_link(alert["subject"]["url"], alert["title"])
        text = f"{mark} *{title}*"
        if alert["message"]:
            text += f"\n{slack_escape(alert['message'])}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if len(alerts) > SLACK_LISTED:
        more = f"… and {len(alerts) - SLACK_LISTED} more."
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more}})
    link = slack_link(body["url"], f"Open the alerts of {body['environment']['name']} in adminui")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link}]})
    return {"text": headline(body), "blocks": blocks}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def send(channel: str, notification: AlertNotification, channels: Channels) -> None:
    """Deliver one notification to one channel; `DeliveryError` says why it did not arrive."""
    body = notification.payload | {"notification_id": notification.pk}
    if channel == Channel.EMAIL:
        send_email(body, channels.email_to)
    elif channel == Channel.SLACK:
        if not channels.slack_webhook_url:
            raise DeliveryError("Slack is no longer configured.", permanent=True)
        post_json(channels.slack_webhook_url, json.dumps(slack_message(body)).encode())
    else:
        if not channels.webhook_url:
            raise DeliveryError("The webhook is no longer configured.", permanent=True)
        if not channels.webhook_secret:
            raise DeliveryError(
                "The webhook has no signing secret: set ALERT_WEBHOOK_SECRET.", permanent=True
            )
        raw = json.dumps(body, sort_keys=True).encode()
        headers = {
            SIGNATURE_HEADER: signature(channels.webhook_secret, int(time.time()), raw),
            "X-Adminui-Event": body["event"],
            "X-Adminui-Delivery": str(notification.pk),
        }
        post_json(channels.webhook_url, raw, headers)


def send_email(body: dict[str, Any], to: tuple[str, ...]) -> None:
    if not to:
        raise DeliveryError("No address to send to (ALERT_EMAIL_TO is empty).", permanent=True)
    message = EmailMessage(
        subject=f"[adminui] {headline(body)}",
        body=email_text(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"The mail server refused the message (SMTP {error.smtp_code})."
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("The mail server refused every recipient.", permanent=True) from None
    except (smtplib.SMTPException, OSError) as error:
        options = smtp_options()
        server = f"{options.get('host', '')}:{options.get('port', '')}".strip(":")
        raise DeliveryError(
            f"The mail server {server} could not be reached ({type(error).__name__})."
        ) from None
