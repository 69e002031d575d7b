"""Alerts open from what a sweep saw, stay one per subject, resolve when the cause is gone, and
leave alone what the sweep could not read; people see them by role and acknowledge them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from adminui.accounts.models import EnvironmentRole
from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.service import open_alerts_by_environment, sync_alerts
from adminui.alerts.snapshot import Failover
from adminui.sandbox import demo
from tests.alert_helpers import sandbox_snapshot, with_key_state
from tests.conftest import HTMX, sandbox_api

ALERTS = "/sandbox/alerts/"
Kind, Status = Alert.Kind, Alert.Status


def unresolved() -> dict[tuple[str, str], Alert]:
    return {(a.kind, a.subject_id): a for a in Alert.objects.exclude(status=Status.RESOLVED)}


@pytest.fixture
def demo_alerts(db):
    """The demo project swept once: its revoked and rate-limited keys, the evaluations pinned to
    them, and the Linear integration whose token PostHog could not refresh."""
    snapshot = sandbox_snapshot()
    sync_alerts(snapshot)
    return snapshot


def test_a_sweep_of_the_demo_project_opens_an_alert_for_each_thing_that_is_broken(demo_alerts):
    alerts = unresolved()
    assert set(alerts) == {
        (Kind.KEY_FAILING, demo.KEY_OLD_ANTHROPIC),
        (Kind.KEY_FAILING, demo.KEY_GEMINI),
        (Kind.EVALUATIONS_ON_FAILING_KEY, demo.KEY_GEMINI),
        (Kind.INTEGRATION_RECONNECT, str(demo.BROKEN_LINEAR_INTEGRATION_ID)),
    }
    revoked = alerts[(Kind.KEY_FAILING, demo.KEY_OLD_ANTHROPIC)]
    assert revoked.message == "Invalid API key"  # PostHog's own words
    assert revoked.severity == Alert.Severity.WARNING and revoked.status == Status.OPEN
    assert revoked.subject_label == "Anthropic (2024, revoked)"
    # Only enabled evaluations count: the two on the revoked key are paused.
    pinned = alerts[(Kind.EVALUATIONS_ON_FAILING_KEY, demo.KEY_GEMINI)]
    assert pinned.severity == Alert.Severity.CRITICAL
    assert pinned.message == (
        "1 evaluation (“Helpfulness score”) uses this key, which is failing: "
        "Rate limited, please try again later"
    )


def test_a_second_sweep_seeing_the_same_opens_nothing_new_and_notifies_no_one(
    demo_alerts, settings
):
    settings.ALERT_EMAIL_TO = ["oncall@acme.example"]
    sync_alerts(sandbox_snapshot())
    assert Alert.objects.count() == 4
    assert not AlertNotification.objects.exists()


def test_the_database_refuses_a_second_unresolved_alert_for_one_subject(demo_alerts):
    from django.db import IntegrityError, transaction

    first = Alert.objects.filter(kind=Kind.KEY_FAILING).first()
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            environment=first.environment,
            kind=first.kind,
            subject_type=first.subject_type,
            subject_id=first.subject_id,
            severity=first.severity,
            opened_at=first.opened_at,
        )


def test_the_active_key_failing_is_one_critical_alert(db):
    snapshot = with_key_state(sandbox_snapshot(), demo.ACTIVE_KEY_ID, "invalid", "Invalid API key")
    sync_alerts(snapshot)
    alert = unresolved()[(Kind.ACTIVE_KEY_FAILING, demo.ACTIVE_KEY_ID)]
    assert alert.severity == Alert.Severity.CRITICAL
    assert alert.title == "The evaluation key “Production OpenAI” is failing"
    assert (Kind.KEY_FAILING, demo.ACTIVE_KEY_ID) not in unresolved()


def test_an_unreadable_evaluation_config_leaves_the_active_key_alert_as_it_is(db, settings):
    settings.ALERT_EMAIL_TO = ["oncall@acme.example"]
    failing = with_key_state(sandbox_snapshot(), demo.ACTIVE_KEY_ID, "invalid", "Invalid API key")
    sync_alerts(failing)
    critical = unresolved()[(Kind.ACTIVE_KEY_FAILING, demo.ACTIVE_KEY_ID)]
    told = AlertNotification.objects.count()
    # The config read failed: which key is active is unknown, not "none".
    sync_alerts(replace(failing, active_key_id=None, config_known=False))
    assert unresolved()[(Kind.ACTIVE_KEY_FAILING, demo.ACTIVE_KEY_ID)] == critical
    assert (Kind.KEY_FAILING, demo.ACTIVE_KEY_ID) not in unresolved()
    assert AlertNotification.objects.count() == told
    sync_alerts(failing)
    assert not Alert.objects.filter(status=Status.RESOLVED).exists()


def test_a_key_that_recovers_resolves_its_alerts_and_others_stay_open(demo_alerts):
    recovered = with_key_state(sandbox_snapshot(), demo.KEY_GEMINI, "ok", None)
    sync_alerts(recovered)
    resolved = Alert.objects.filter(status=Status.RESOLVED)
    assert {(a.kind, a.subject_id) for a in resolved} == {
        (Kind.KEY_FAILING, demo.KEY_GEMINI),
        (Kind.EVALUATIONS_ON_FAILING_KEY, demo.KEY_GEMINI),
    }
    assert all(a.resolved_at == recovered.taken_at for a in resolved)
    assert (Kind.KEY_FAILING, demo.KEY_OLD_ANTHROPIC) in unresolved()
    # Failing again later is a new alert: the resolved one stays in the history.
    sync_alerts(sandbox_snapshot())
    assert Alert.objects.filter(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI).count() == 2


def test_evaluations_pinned_to_a_key_missing_from_the_list_open_one_alert_naming_them(db):
    snapshot = sandbox_snapshot()
    assert snapshot.keys is not None
    keys = [key for key in snapshot.keys if key.id != demo.KEY_CLAUDE]
    sync_alerts(replace(snapshot, keys=keys))
    alert = unresolved()[(Kind.EVALUATIONS_ON_FAILING_KEY, demo.KEY_CLAUDE)]
    assert alert.message == (
        "2 evaluations (“Conversation resolved”, “Tone matches brand”) use this key, "
        "which was deleted."
    )
    assert alert.subject_path == "/sandbox/evaluations/"


def test_evaluations_posthog_stopped_when_their_key_was_deleted_each_open_an_alert(db, sandbox):
    deleted = sandbox_api(sandbox, "DELETE", f"llm_analytics/provider_keys/{demo.KEY_CLAUDE}/")
    assert deleted.status_code == 204
    sync_alerts(sandbox_snapshot())
    stopped = Alert.objects.filter(subject_type="evaluation")
    assert {alert.subject_label for alert in stopped} == {
        "Conversation resolved",
        "Tone matches brand",
    }
    alert = stopped.get(subject_label="Tone matches brand")
    assert alert.title == "PostHog stopped the evaluation “Tone matches brand”"
    assert alert.message == (
        "PostHog stopped it: Provider API key was deleted. "
        "Give it a working key and turn it on again."
    )
    assert alert.subject_path == f"/sandbox/evaluations/{alert.subject_id}/"


def test_a_list_the_sweep_could_not_read_leaves_its_alerts_as_they_are(demo_alerts):
    sync_alerts(replace(sandbox_snapshot(), keys=None, integrations=None))
    assert len(unresolved()) == 4
    # Evaluations unknown: the evaluation alerts stay, the key alerts still follow the keys.
    healthy = with_key_state(sandbox_snapshot(), demo.KEY_GEMINI, "ok", None)
    sync_alerts(replace(healthy, evaluations=None))
    assert (Kind.KEY_FAILING, demo.KEY_GEMINI) not in unresolved()
    assert (Kind.EVALUATIONS_ON_FAILING_KEY, demo.KEY_GEMINI) in unresolved()


def test_an_integration_reconnected_resolves_its_alert(demo_alerts):
    snapshot = sandbox_snapshot()
    integrations = [
        replace(i, errors="") if i.id == demo.BROKEN_LINEAR_INTEGRATION_ID else i
        for i in snapshot.integrations or []
    ]
    sync_alerts(replace(snapshot, integrations=integrations))
    assert (Kind.INTEGRATION_RECONNECT, str(demo.BROKEN_LINEAR_INTEGRATION_ID)) not in unresolved()


def test_a_failover_is_an_info_alert_until_the_replaced_key_is_valid_again(db):
    snapshot = with_key_state(sandbox_snapshot(), demo.ACTIVE_KEY_ID, "invalid", "Invalid API key")
    keys = {key.id: key for key in snapshot.keys or []}
    failover = Failover(from_key=keys[demo.ACTIVE_KEY_ID], to_key=keys[demo.KEY_STAGING_OPENAI])
    sync_alerts(replace(snapshot, failover=failover, active_key_id=demo.KEY_STAGING_OPENAI))
    alert = unresolved()[(Kind.FAILOVER, demo.ACTIVE_KEY_ID)]
    assert alert.severity == Alert.Severity.INFO
    assert "so evaluations now use “Staging OpenAI”" in alert.message
    # The next sweep has no failover of its own: the alert stays while the old key fails.
    sync_alerts(replace(snapshot, active_key_id=demo.KEY_STAGING_OPENAI))
    assert (Kind.FAILOVER, demo.ACTIVE_KEY_ID) in unresolved()
    recovered = with_key_state(sandbox_snapshot(), demo.ACTIVE_KEY_ID, "ok", None)
    sync_alerts(recovered)
    assert (Kind.FAILOVER, demo.ACTIVE_KEY_ID) not in unresolved()


def test_an_opening_queues_one_notification_per_configured_channel(
    db, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_EMAIL_TO = ["oncall@acme.example"]
    settings.ALERT_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.ALERT_WEBHOOK_SECRET = "whsec-test-secret-value"
    settings.ALERT_DIGEST_THRESHOLD = 10
    with django_capture_on_commit_callbacks(execute=True):
        sync_alerts(sandbox_snapshot())
    assert AlertNotification.objects.filter(event="opened", channel="email").count() == 4
    assert AlertNotification.objects.filter(event="opened", channel="webhook").count() == 4
    assert not AlertNotification.objects.filter(channel="slack").exists()
    tasks = DBTaskResult.objects.filter(
        task_path="adminui.alerts.tasks.deliver_notification"
    ).count()
    assert tasks == 8


def test_many_alerts_opening_at_once_go_out_as_one_digest(db, settings):
    settings.ALERT_EMAIL_TO = ["oncall@acme.example"]
    sync_alerts(sandbox_snapshot())  # 4 alerts, more than the default threshold of 3
    digest = AlertNotification.objects.get()
    assert digest.alerts.count() == 4
    assert len(digest.payload["alerts"]) == 4


def test_open_alerts_by_environment_lists_the_most_severe_first(demo_alerts):
    grouped = open_alerts_by_environment(["sandbox", "elsewhere"])
    assert grouped["elsewhere"] == []
    severities = [alert.severity for alert in grouped["sandbox"]]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)


# The screens


def test_every_role_sees_the_alerts_of_its_environment(viewer_client, demo_alerts):
    page = viewer_client.get(ALERTS)
    assert page.status_code == 200
    assert "Key “Anthropic (2024, revoked)” is failing".encode() in page.content
    assert b"needs reconnecting" in page.content
    assert b"Acknowledge" not in page.content.split(b"<tbody>")[1]  # a Viewer cannot


def test_the_navigation_counts_the_open_alerts(viewer_client, demo_alerts):
    page = viewer_client.get("/sandbox/keys/")
    assert b'<span class="nav-count">4<span class="visually-hidden"> open</span>' in page.content


def test_the_navigation_count_follows_an_acknowledgement_and_a_sweep_at_once(
    editor_client, demo_alerts
):
    def counted() -> bytes:
        page = editor_client.get("/sandbox/keys/").content
        return page.split(b'<span class="nav-count">')[1].split(b"<")[0]

    assert counted() == b"4"
    alert = Alert.objects.get(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI)
    editor_client.post(f"{ALERTS}{alert.pk}/acknowledge/")
    assert counted() == b"3"
    sync_alerts(with_key_state(sandbox_snapshot(), demo.KEY_OLD_ANTHROPIC, "ok", None))
    assert counted() == b"2"


def test_someone_without_a_role_sees_no_alerts(nobody_client, demo_alerts):
    assert nobody_client.get(ALERTS).status_code == 403
    assert nobody_client.get("/alerts/").status_code == 403


def test_a_viewer_cannot_acknowledge(viewer_client, demo_alerts):
    alert = Alert.objects.first()
    assert alert is not None
    answer = viewer_client.post(f"{ALERTS}{alert.pk}/acknowledge/")
    assert answer.status_code == 403
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_an_editor_acknowledges_without_javascript_and_the_alert_stays_listed(
    editor_client, demo_alerts
):
    alert = Alert.objects.get(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI)
    answer = editor_client.post(
        f"{ALERTS}{alert.pk}/acknowledge/", {"next": f"{ALERTS}?severity=warning"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"{ALERTS}?severity=warning"
    alert.refresh_from_db()
    assert alert.status == Status.ACKNOWLEDGED and alert.acknowledged_by_name == "eddie"
    page = editor_client.get(answer["Location"])
    assert f"Acknowledged: {alert.title}.".encode() in page.content
    assert f'id="alert-{alert.pk}"'.encode() in page.content
    # Only the other three are counted as open in the navigation.
    assert b'<span class="nav-count">3<span' in page.content


def test_acknowledging_over_https_does_not_go_back_to_a_plain_http_address(
    editor_client, demo_alerts
):
    alert = Alert.objects.filter(status=Status.OPEN).first()
    assert alert is not None
    response = editor_client.post(
        f"{ALERTS}{alert.pk}/acknowledge/",
        {"next": "http://testserver/sandbox/alerts/?q=key"},
        secure=True,
    )
    assert response.status_code == 302 and response["Location"] == ALERTS


def test_acknowledging_with_htmx_swaps_only_the_row(editor_client, demo_alerts):
    alert = Alert.objects.get(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI)
    answer = editor_client.post(f"{ALERTS}{alert.pk}/acknowledge/", headers=HTMX)
    assert answer.status_code == 200
    row = answer.content.decode().strip()
    assert row.startswith(f'<tr id="alert-{alert.pk}">')
    assert "Acknowledged" in row and "by eddie" in row and "<form" not in row
    # The navigation's count follows, out of band.
    assert '<span id="nav-alert-count" hx-swap-oob="true"> <span class="nav-count">3<' in row
    assert answer["HX-Trigger"] == '{"dataChanged": {}}'  # the list region reloads its tab counts


def test_an_acknowledged_alert_resolves_by_itself(editor_client, demo_alerts):
    alert = Alert.objects.get(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI)
    editor_client.post(f"{ALERTS}{alert.pk}/acknowledge/")
    sync_alerts(with_key_state(sandbox_snapshot(), demo.KEY_GEMINI, "ok", None))
    alert.refresh_from_db()
    assert alert.status == Status.RESOLVED and alert.acknowledged_by_name == "eddie"


def test_an_alert_of_another_environment_is_not_found_under_this_one(editor_client, demo_alerts):
    alert = Alert.objects.first()
    assert alert is not None
    alert.environment = "elsewhere"
    alert.save()
    assert editor_client.post(f"{ALERTS}{alert.pk}/acknowledge/").status_code == 404


def test_tabs_filters_and_search_narrow_the_list(viewer_client, demo_alerts):
    sync_alerts(with_key_state(sandbox_snapshot(), demo.KEY_GEMINI, "ok", None))
    resolved = viewer_client.get(f"{ALERTS}?status=resolved").content.decode()
    assert "Key “Gemini experiments” is failing" in resolved
    assert "Anthropic (2024, revoked)" not in resolved
    searched = viewer_client.get(f"{ALERTS}?q=token").content.decode()
    assert searched.count('<tr id="alert-') == 1
    warnings = viewer_client.get(f"{ALERTS}?severity=warning&kind=key_failing")
    assert warnings.content.decode().count('<tr id="alert-') == 1  # Gemini's is resolved
    every = viewer_client.get(f"{ALERTS}?status=all").content.decode()
    assert every.count('<tr id="alert-') == 4
    region = viewer_client.get(f"{ALERTS}?q=token", headers=HTMX).content.decode().strip()
    assert region.startswith('<div id="alert-table"')
    assert f'href="{ALERTS}?q=token&amp;status=resolved"' in region


def test_the_page_across_environments_names_each_alerts_environment(viewer_client, demo_alerts):
    page = viewer_client.get("/alerts/").content.decode()
    assert page.count('<tr id="alert-') == 4
    assert '<a href="/sandbox/alerts/">Sandbox</a>' in page
    filtered = viewer_client.get("/alerts/?environment=sandbox&kind=integration_reconnect")
    assert filtered.content.decode().count('<tr id="alert-') == 1


def test_across_environments_acknowledge_shows_only_where_the_user_is_an_editor(
    viewer, viewer_client, two_environments
):
    EnvironmentRole.objects.create(user=viewer, environment="staging", role="editor")
    rows = {
        slug: Alert.objects.create(
            environment=slug,
            kind=Kind.KEY_FAILING,
            subject_type="provider_key",
            subject_id=demo.KEY_GEMINI,
            severity=Alert.Severity.WARNING,
            opened_at=timezone.now(),
        )
        for slug in ("prod", "staging")  # the first environment is where they only view
    }
    page = viewer_client.get("/alerts/").content.decode()

    def row(alert: Alert) -> str:
        return page.split(f'<tr id="alert-{alert.pk}">')[1].split("</tr>")[0]

    assert "Acknowledge" in row(rows["staging"])
    assert "Acknowledge" not in row(rows["prod"])


def test_the_overview_shows_the_open_alerts(viewer_client, demo_alerts):
    page = viewer_client.get("/sandbox/").content.decode()
    assert '<h2 id="card-alerts">Alerts</h2>' in page
    assert "The evaluation key" not in page  # the active key is fine
    assert "Evaluations use the broken key “Gemini experiments”" in page


def test_a_failing_key_with_a_new_message_keeps_its_alert_and_tells_no_one_again(
    demo_alerts, settings
):
    settings.ALERT_EMAIL_TO = ["oncall@acme.example"]
    sync_alerts(with_key_state(sandbox_snapshot(), demo.KEY_GEMINI, "error", "Quota exceeded"))
    alert = unresolved()[(Kind.KEY_FAILING, demo.KEY_GEMINI)]
    assert alert.message == "Quota exceeded"
    assert Alert.objects.filter(kind=Kind.KEY_FAILING, subject_id=demo.KEY_GEMINI).count() == 1
    assert not AlertNotification.objects.exists()
