"""Alert notifications reach real receivers on loopback through the task queue's worker: an SMTP
server (aiosmtpd), a webhook that checks the signature, a Slack-shaped webhook; once per opening
and once per resolving, retried with backoff, and never showing a URL or secret."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from django_tasks_db.models import DBTaskResult

from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.notify import payload, slack_message
from adminui.alerts.service import sync_alerts
from adminui.alerts.tasks import deliver_notification
from adminui.posthog import get_environment
from adminui.posthog.environments import AlertChannels
from adminui.posthog.redaction import register_secret
from adminui.sandbox import demo
from tests.alert_helpers import sandbox_snapshot, with_key_state
from tests.conftest import closed_port
from tests.receivers import SECRET, Mailbox, Receiver, http_receiver, smtp_mailbox, verified
from tests.summary_helpers import run_worker

Status = AlertNotification.Status


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:
    """A real SMTP server on loopback, and the portal's mailer pointed at it."""
    with smtp_mailbox() as mailbox:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": mailbox.port, "timeout": 5},
            }
        }
        settings.ALERT_EMAIL_TO = ["oncall@acme.example", "llm-team@acme.example"]
        yield mailbox


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as receiver:
        yield receiver


def sweep(django_capture_on_commit_callbacks, snapshot) -> None:
    """One sweep's alerts, then the worker runs every notification it queued, retries included
    (each waits for its run_after: a batch worker leaves the ones not due yet)."""
    with django_capture_on_commit_callbacks(execute=True):
        sync_alerts(snapshot)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        run_worker()
        if not AlertNotification.objects.filter(status=Status.PENDING).exists():
            return
        time.sleep(0.02)
    raise AssertionError("Notifications still pending after 10 s")


def turn_key(sandbox, key_id: str, state: str, error: str | None) -> None:
    with sandbox.state.lock:
        key = sandbox.state.provider_keys[key_id]
        key.state, key.error_message = state, error


@pytest.fixture
def one_failing_key(sandbox, db):
    """The demo project with one key failing: the others healthy, the integrations connected."""
    for key_id in (demo.KEY_OLD_ANTHROPIC, demo.KEY_GEMINI):
        turn_key(sandbox, key_id, "ok", None)
    return lambda: sandbox_snapshot(integrations=[])


def test_an_email_arrives_once_when_a_key_fails_and_once_when_it_recovers(
    mailbox, sandbox, one_failing_key, django_capture_on_commit_callbacks
):
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    assert mailbox.subjects == ["[adminui] Warning: Key “Together AI batch” is failing (Sandbox)"]
    envelope = mailbox.messages[0]
    assert envelope.rcpt_tos == ["oncall@acme.example", "llm-team@acme.example"]
    text = mailbox.text(0)
    assert "Invalid API key" in text
    assert f"http://127.0.0.1:8000/sandbox/keys/{demo.KEY_TOGETHER}/" in text

    sweep(django_capture_on_commit_callbacks, one_failing_key())  # still failing: no email
    assert len(mailbox.messages) == 1

    turn_key(sandbox, demo.KEY_TOGETHER, "ok", None)
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    assert mailbox.subjects[1:] == [
        "[adminui] Resolved: Key “Together AI batch” is failing (Sandbox)"
    ]
    assert set(AlertNotification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_many_alerts_at_once_are_one_digest_email(
    mailbox, sandbox, db, django_capture_on_commit_callbacks
):
    sweep(django_capture_on_commit_callbacks, sandbox_snapshot())  # the demo's four alerts
    assert mailbox.subjects == ["[adminui] 4 alerts opened in Sandbox"]
    text = mailbox.text(0)
    assert "Key “Gemini experiments” is failing [warning]" in text
    assert "Integration “" in text and "needs reconnecting" in text


def test_the_webhook_gets_a_correctly_signed_payload(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
    turn_key(sandbox, demo.KEY_TOGETHER, "error", "Quota exceeded for this API key")
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    [(headers, body)] = receiver.received
    assert verified(headers, body)
    assert not verified(headers, body, secret="another-secret-value")
    assert not verified(headers, body.replace(b"Quota", b"quota"))
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Adminui-Event"] == "opened"
    payload = json.loads(body)
    notification = AlertNotification.objects.get()
    assert payload["notification_id"] == notification.pk
    assert payload["environment"] == {"slug": "sandbox", "name": "Sandbox"}
    assert payload["url"] == "http://127.0.0.1:8000/sandbox/alerts/"
    [alert] = payload["alerts"]
    assert alert["kind"] == "key_failing" and alert["severity"] == "warning"
    assert alert["title"] == "Key “Together AI batch” is failing"
    assert alert["message"] == "Quota exceeded for this API key"
    assert alert["status"] == "open" and alert["resolved_at"] is None
    assert alert["subject"] == {
        "type": "provider_key",
        "id": demo.KEY_TOGETHER,
        "label": "Together AI batch",
        "url": f"http://127.0.0.1:8000/sandbox/keys/{demo.KEY_TOGETHER}/",
    }


def test_the_slack_message_is_well_formed_with_a_link_back(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks
):
    settings.ALERT_SLACK_WEBHOOK_URL = receiver.url
    settings.ADMINUI_BASE_URL = "https://adminui.acme.example"
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid <API> key & more")
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    [message] = receiver.bodies()
    assert message["text"] == "Warning: Key “Together AI batch” is failing (Sandbox)"
    header, section, context = message["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": message["text"]}}
    key_url = f"https://adminui.acme.example/sandbox/keys/{demo.KEY_TOGETHER}/"
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"] == (
        f":warning: *<{key_url}|Key “Together AI batch” is failing>*\n"
        "Invalid &lt;API&gt; key &amp; more"
    )
    assert context["elements"] == [
        {
            "type": "mrkdwn",
            "text": "<https://adminui.acme.example/sandbox/alerts/|"
            "Open the alerts of Sandbox in adminui>",
        }
    ]


def test_an_environment_can_send_its_alerts_elsewhere(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks
):
    settings.ALERT_SLACK_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/global"
    snapshot = one_failing_key()
    own = AlertChannels(slack_webhook_url=receiver.url, email_to=())
    environment = replace(snapshot.environment, alert_channels=own)
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("adminui.alerts.tasks.get_environment", lambda slug: environment)
        sweep(
            django_capture_on_commit_callbacks, replace(one_failing_key(), environment=environment)
        )
    assert len(receiver.received) == 1
    assert AlertNotification.objects.get().status == Status.SENT


def test_a_receiver_answering_500_is_tried_again_with_backoff_then_given_up(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks, caplog
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
    settings.ALERT_NOTIFY_ATTEMPTS, settings.ALERT_RETRY_BACKOFF = 3, 0.05
    receiver.statuses = [500, 500, 500]
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    with caplog.at_level(logging.WARNING):
        sweep(django_capture_on_commit_callbacks, one_failing_key())
    assert len(receiver.received) == 3
    notification = AlertNotification.objects.get()
    assert notification.status == Status.FAILED and notification.attempts == 3
    assert notification.last_error == "The receiver answered HTTP 500."
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert tasks.count() == 3
    # Each retry waits longer than the one before (the backoff doubles).
    waits = [(t.run_after - t.enqueued_at).total_seconds() for t in tasks[1:]]
    assert 0 < waits[0] < waits[1]
    assert "Gave up on the webhook notification" in caplog.text
    assert receiver.url not in caplog.text and "secretpart" not in caplog.text


def test_a_receiver_that_recovers_gets_the_notification_on_the_next_try(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
    settings.ALERT_RETRY_BACKOFF = 0.05
    receiver.statuses = [500]
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    first, second = receiver.received
    assert json.loads(first[1]) == json.loads(second[1])  # the same delivery, signed anew
    assert verified(*second)
    notification = AlertNotification.objects.get()
    assert notification.status == Status.SENT and notification.attempts == 2


def test_an_unreachable_receiver_is_recorded_without_its_address(
    sandbox, settings, one_failing_key, django_capture_on_commit_callbacks, caplog
):
    url = f"http://127.0.0.1:{closed_port()}/hooks/very-secret-path"
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = url, SECRET
    settings.ALERT_NOTIFY_ATTEMPTS, settings.ALERT_RETRY_BACKOFF = 2, 0.001
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    with caplog.at_level(logging.INFO):
        sweep(django_capture_on_commit_callbacks, one_failing_key())
    notification = AlertNotification.objects.get()
    assert notification.status == Status.FAILED
    assert notification.last_error == "The receiver could not be reached (connection failed)."
    assert "very-secret-path" not in caplog.text and SECRET not in caplog.text
    assert "very-secret-path" not in json.dumps(notification.payload)


def test_a_delivery_task_run_twice_sends_once(
    receiver, sandbox, settings, one_failing_key, django_capture_on_commit_callbacks
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
    settings.ALERT_RETRY_BACKOFF = 0.05
    receiver.statuses = [500]
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    sweep(django_capture_on_commit_callbacks, one_failing_key())  # the first try failed
    notification = AlertNotification.objects.get()
    assert len(receiver.received) == 2 and notification.status == Status.SENT
    for attempt in (1, 2):  # each try's task again, e.g. a worker re-running it
        assert deliver_notification.call(notification.pk, attempt) == "skipped"
    assert len(receiver.received) == 2


def test_an_unexpected_error_gives_the_notification_up_and_logs_it(
    receiver,
    sandbox,
    settings,
    one_failing_key,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET

    def broken(channel, notification, channels):
        raise ValueError(channels.webhook_url)

    monkeypatch.setattr("adminui.alerts.tasks.send", broken)
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    with caplog.at_level(logging.ERROR, logger="adminui.alerts"):
        sweep(django_capture_on_commit_callbacks, one_failing_key())
    notification = AlertNotification.objects.get()
    assert notification.status == Status.FAILED and notification.attempts == 1
    assert notification.last_error == "Unexpected error (ValueError)."
    assert "The webhook notification" in caplog.text and "broke" in caplog.text
    assert not receiver.received


# The test notification


def test_an_admin_sends_a_test_notification_and_sees_each_channel(
    admin_client, mailbox, receiver, settings
):
    settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
    page = admin_client.post("/sandbox/alerts/test/", follow=True).content.decode()
    assert "Email: test sent." in page
    assert "Slack: not configured (set ALERT_SLACK_WEBHOOK_URL)." in page
    assert "Webhook: test sent." in page
    assert mailbox.subjects == ["[adminui] Test notification from adminui (Sandbox)"]
    [(headers, body)] = receiver.received
    assert verified(headers, body) and json.loads(body)["event"] == "test"
    assert receiver.url not in page and SECRET not in page


def test_a_failing_channel_says_why_without_showing_its_address(admin_client, settings):
    settings.ALERT_SLACK_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/services/T1/B2/xoxsecret"
    settings.ALERT_EMAIL_TO = []
    page = admin_client.post("/sandbox/alerts/test/", follow=True).content.decode()
    assert "Slack: failed. The receiver could not be reached (connection failed)." in page
    assert "Email: not configured (set ALERT_EMAIL_TO)." in page
    assert "xoxsecret" not in page


def test_a_receiver_that_never_answers_does_not_hold_the_test_page_past_its_deadline(
    admin_client, receiver, settings
):
    silent = socket.create_server(("127.0.0.1", 0))  # connections queue, no answer ever comes
    with silent:
        port = silent.getsockname()[1]
        settings.ALERT_SLACK_WEBHOOK_URL = f"http://127.0.0.1:{port}/services/T1/B2/xoxsecret"
        settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET = receiver.url, SECRET
        settings.ALERT_EMAIL_TO, settings.ALERT_TEST_TIMEOUT = [], 0.5
        started = time.monotonic()
        page = admin_client.post("/sandbox/alerts/test/", follow=True).content.decode()
        assert time.monotonic() - started < 3  # the receiver's own read timeout is 10 s
    assert "Slack: failed. No answer within 0.5 s." in page
    assert "Webhook: test sent." in page
    slack = AlertNotification.objects.get(channel=AlertNotification.Channel.SLACK)
    assert slack.status == Status.FAILED and slack.last_error == "No answer within 0.5 s."


def test_only_an_admin_may_send_a_test_notification(editor_client, receiver, settings):
    settings.ALERT_SLACK_WEBHOOK_URL = receiver.url
    assert editor_client.post("/sandbox/alerts/test/").status_code == 403
    assert editor_client.get("/sandbox/alerts/test/").status_code == 405
    assert not receiver.received


def test_the_test_button_is_shown_to_admins_only(admin_client, editor_client):
    button = b"Send a test notification"
    assert button in admin_client.get("/sandbox/alerts/").content
    assert button not in editor_client.get("/sandbox/alerts/").content


@pytest.fixture
def demo_alerts_payload(db):
    def build() -> dict:
        sync_alerts(sandbox_snapshot())
        return payload("opened", get_environment("sandbox"), list(Alert.objects.all()))

    return build


def test_without_a_public_address_the_slack_message_names_pages_without_links(
    settings, demo_alerts_payload
):
    settings.ADMINUI_BASE_URL = ""
    message = slack_message(demo_alerts_payload())
    texts = json.dumps(message["blocks"])
    assert "<" not in texts and "Open the alerts of Sandbox in adminui" in texts


def test_a_secret_posthog_echoes_in_its_message_is_never_stored(db):
    register_secret("sk-live-echoed-0123456789")
    snapshot = with_key_state(
        sandbox_snapshot(), demo.KEY_TOGETHER, "invalid", "Key sk-live-echoed-0123456789 refused"
    )
    sync_alerts(replace(snapshot, integrations=[]))
    assert "echoed" not in Alert.objects.get(subject_id=demo.KEY_TOGETHER).message


def test_admins_see_on_the_alerts_page_which_notifications_never_arrived(
    admin_client,
    editor_client,
    sandbox,
    settings,
    one_failing_key,
    django_capture_on_commit_callbacks,
):
    settings.ALERT_SLACK_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/services/T1/B2/xoxsecret"
    settings.ALERT_NOTIFY_ATTEMPTS = 1
    turn_key(sandbox, demo.KEY_TOGETHER, "invalid", "Invalid API key")
    sweep(django_capture_on_commit_callbacks, one_failing_key())
    page = admin_client.get("/sandbox/alerts/").content.decode()
    assert "Notifications of the past week that never arrived:" in page
    assert (
        "Slack, <time" in page and "The receiver could not be reached (connection failed)." in page
    )
    assert "xoxsecret" not in page
    assert "never arrived" not in editor_client.get("/sandbox/alerts/").content.decode()
