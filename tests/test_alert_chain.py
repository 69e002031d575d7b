"""The whole alert chain with the portal's own processes: a real scheduler queues the first
sweep, a real worker runs it against the sandbox, a key the sandbox turned invalid opens an
alert, and the worker's notifications reach a real SMTP server, a Slack-shaped receiver and a
webhook receiver that checks the signature; the key recovers, `manage.py check_keys` resolves
the alert, each channel hears of it once, and a further sweep sends nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from adminui.demo_project import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID
from adminui.sandbox import demo
from tests.conftest import environment_entry, write_environments_file
from tests.processes import WORKER, manage, process_environment, query, running
from tests.receivers import SECRET, http_receiver, smtp_mailbox, verified

BASE_URL = "https://adminui.acme.example"
KEY_URL = f"{BASE_URL}/prod/keys/{demo.KEY_TOGETHER}/"
TITLE = "Key “Together AI batch” is failing"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Poll until `condition` holds; generous, for a loaded machine."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Still waiting after {seconds:.0f} s for {what}")
        time.sleep(0.2)


def only_together_failing(sandbox) -> None:
    """The demo project healthy but for one key with no evaluations: one alert, not a digest."""
    sandbox.switch(validation_delay=0.01)
    for key_id in sandbox.state.provider_keys:
        sandbox.provider_answer(key_id, "invalid" if key_id == demo.KEY_TOGETHER else "ok")
    with sandbox.state.lock:
        sandbox.state.integrations[demo.BROKEN_LINEAR_INTEGRATION_ID].errors = ""


def test_a_failing_key_is_alerted_on_every_channel_once_and_resolved_once(
    tmp_path, sandbox, monkeypatch
):
    only_together_failing(sandbox)
    monkeypatch.setenv("ADMINUI_TEST_SANDBOX_KEY", DEMO_PERSONAL_API_KEY)
    # Production sends its email to its own address; the global one must not get it.
    production = environment_entry(
        sandbox, "prod", "Production", DEMO_PROJECT_ID, alerts={"email_to": ["prod@acme.example"]}
    )
    database = tmp_path / "chain.sqlite3"
    with (
        smtp_mailbox() as mailbox,
        http_receiver("/services/T1/B2/slacksecret") as slack,
        http_receiver("/hooks/adminui") as webhook,
    ):
        env = process_environment(
            database,
            sandbox,
            ADMINUI_ENVIRONMENTS_FILE=str(write_environments_file(tmp_path, [production])),
            ADMINUI_BASE_URL=BASE_URL,
            ALERT_EMAIL_TO="oncall@acme.example",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mailbox.port),
            ALERT_SLACK_WEBHOOK_URL=slack.url,
            ALERT_WEBHOOK_URL=webhook.url,
            ALERT_WEBHOOK_SECRET=SECRET,
            ALERT_RETRY_BACKOFF="0.5",
            KEY_CHECK_FIRST_DELAY_SECONDS="1",
            KEY_CHECK_SPREAD_SECONDS="0",
        )

        def notifications() -> list[tuple]:
            return query(
                database,
                "SELECT event, channel, status FROM adminui_alertnotification ORDER BY id",
            )

        def delivered(count: int) -> Callable[[], bool]:
            def check() -> bool:
                rows = notifications()
                return len(rows) == count and all(status == "sent" for *_, status in rows)

            return check

        def sweep_finished() -> bool:
            return ("SUCCESSFUL", '"finished"') in query(
                database,
                "SELECT status, return_value FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = 'adminui.keys.tasks.sweep_keys'",
            )

        with running(env, ["scheduler"], WORKER):
            # The first scheduled sweep opens one alert, and each channel hears of it once.
            wait_for(sweep_finished, "the scheduled sweep")
            alerts = "SELECT kind, subject_id, status FROM adminui_alert"
            assert query(database, alerts) == [("key_failing", demo.KEY_TOGETHER, "open")]
            wait_for(delivered(3), "the opening's three notifications")
            assert len(mailbox.messages) == len(slack.received) == len(webhook.received) == 1
            assert mailbox.messages[0].rcpt_tos == ["prod@acme.example"]
            assert mailbox.subjects == [f"[adminui] Warning: {TITLE} (Production)"]
            assert "Invalid API key" in mailbox.text(0) and KEY_URL in mailbox.text(0)
            [opened] = slack.bodies()
            assert opened["text"] == f"Warning: {TITLE} (Production)"
            assert opened["blocks"][0] == {
                "type": "header",
                "text": {"type": "plain_text", "text": opened["text"]},
            }
            assert opened["blocks"][1]["text"]["text"] == (
                f":warning: *<{KEY_URL}|{TITLE}>*\nInvalid API key"
            )
            headers, body = webhook.received[0]
            assert verified(headers, body) and headers["X-Adminui-Event"] == "opened"
            [alert] = json.loads(body)["alerts"]
            assert alert["subject"]["id"] == demo.KEY_TOGETHER and alert["status"] == "open"

            # The key recovers: the next sweep resolves the alert, once per channel.
            sandbox.provider_answer(demo.KEY_TOGETHER, "ok")
            checked = manage(env, "check_keys", "--force")
            assert checked.returncode == 0, checked.stderr
            assert "prod: " in checked.stdout and " 1 changed" in checked.stdout
            assert query(database, alerts) == [("key_failing", demo.KEY_TOGETHER, "resolved")]
            wait_for(delivered(6), "the resolution's three notifications")
            assert [event for event, *_ in notifications()] == ["opened"] * 3 + ["resolved"] * 3
            assert mailbox.subjects[1:] == [f"[adminui] Resolved: {TITLE} (Production)"]
            assert mailbox.messages[1].rcpt_tos == ["prod@acme.example"]
            assert slack.bodies()[1]["text"] == f"Resolved: {TITLE} (Production)"
            headers, body = webhook.received[1]
            assert verified(headers, body) and headers["X-Adminui-Event"] == "resolved"
            assert json.loads(body)["alerts"][0]["status"] == "resolved"

            # Nothing changed since: a further sweep notifies no one.
            again = manage(env, "check_keys", "--force")
            assert again.returncode == 0, again.stderr
            assert len(notifications()) == 6
            assert len(query(database, alerts)) == 1
        assert len(mailbox.messages) == len(slack.received) == len(webhook.received) == 2
