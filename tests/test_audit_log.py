"""The audit log screen: filters, pages and CSV; every role may read it."""

from __future__ import annotations

import csv
import io
import json

from adminui.models import AuditEvent
from tests.conftest import HTMX


def add_events(user):
    for index, (action, outcome) in enumerate(
        [
            ("provider_key.create", "success"),
            ("provider_key.delete", "success"),
            ("evaluation_config.set_active_key", "failure"),
        ]
    ):
        AuditEvent.objects.create(
            actor=user,
            actor_name=user.username,
            environment="sandbox",
            action=action,
            target_type="provider_key",
            target_id=f"id-{index}",
            target_label=f"Key {index}",
            outcome=outcome,
            error="PostHog refused" if outcome == "failure" else "",
            details={"name": f"Key {index}", "api_key": "[redacted]"},
        )


def test_a_viewer_reads_every_event(viewer_client, editor):
    add_events(editor)
    response = viewer_client.get("/audit/")
    assert len(response.context["page_obj"]) == 3
    assert b"set the evaluation key to" in response.content
    assert b"PostHog refused" in response.content


def test_filters_by_actor_action_target_and_date(viewer_client, editor, viewer):
    add_events(editor)
    add_events(viewer)
    assert len(viewer_client.get("/audit/", {"actor": "edd"}).context["page_obj"]) == 3
    response = viewer_client.get("/audit/", {"action": "provider_key.delete"})
    assert len(response.context["page_obj"]) == 2
    assert len(viewer_client.get("/audit/", {"target": "Key 2"}).context["page_obj"]) == 2
    assert len(viewer_client.get("/audit/", {"since": "2999-01-01"}).context["page_obj"]) == 0


def test_a_bad_date_is_named_in_the_table_and_the_other_filters_still_apply(viewer_client, editor):
    add_events(editor)
    for headers in ({}, HTMX):
        response = viewer_client.get(
            "/audit/", {"since": "2024-13-45", "actor": "nobody-such"}, headers=headers
        )
        content = response.content.decode()
        assert "Not filtered by From “2024-13-45”: Enter a valid date." in content
        assert len(response.context["page_obj"]) == 0  # the actor filter applied


def test_htmx_gets_only_the_table(viewer_client, editor):
    add_events(editor)
    response = viewer_client.get("/audit/", {"actor": "eddie"}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="audit-table"')


def test_the_csv_export_follows_the_filters(viewer_client, editor):
    add_events(editor)
    response = viewer_client.get("/audit/export.csv", {"action": "provider_key.create"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["target_label"] for row in rows] == ["Key 0"]
    assert rows[0]["actor_name"] == "eddie"


def test_the_csv_export_writes_details_as_json_and_defuses_formulas(viewer_client, editor):
    AuditEvent.objects.create(
        actor_name="eddie",
        environment="sandbox",
        action="provider_key.create",
        target_type="provider_key",
        target_label="=cmd|' /C calc'!A0",
        outcome="success",
        details={"name": "x", "api_key": "[redacted]"},
    )
    rows = list(
        csv.DictReader(io.StringIO(viewer_client.get("/audit/export.csv").content.decode()))
    )
    assert rows[0]["target_label"].startswith("'=")
    assert json.loads(rows[0]["details"]) == {"api_key": "[redacted]", "name": "x"}


def test_the_action_filter_offers_every_action_as_a_whole_phrase(viewer_client):
    choices = dict(viewer_client.get("/audit/").context["form"].fields["action"].choices)
    assert choices["evaluation_config.set_active_key"] == "Set the evaluation key"
    assert choices["evaluation.summarize"] == "Asked for a summary"
    assert choices["integration.refresh_repositories"] == "Refreshed the GitHub repositories"
