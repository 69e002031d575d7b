"""The audit log names each event's environment and filters by it; a user reads only the events
of environments they may see, and only Admins those of environments no longer configured."""

from __future__ import annotations

import csv
import io

import pytest

from adminui.accounts.models import EnvironmentRole
from adminui.models import AuditEvent
from tests.two_environments import installed, production_and_staging


@pytest.fixture
def two(sandbox):
    with installed(*production_and_staging(sandbox)) as environments:
        yield environments


def add_event(environment: str, label: str) -> None:
    AuditEvent.objects.create(
        actor_name="eddie",
        environment=environment,
        action="provider_key.create",
        target_type="provider_key",
        target_label=label,
        outcome=AuditEvent.Outcome.SUCCESS,
    )


@pytest.fixture
def events(db):
    add_event("prod", "Prod key")
    add_event("staging", "Staging key")
    add_event("retired", "Retired key")


def labels(response) -> list[str]:
    return [event.target_label for event, *_ in response.context["rows"]]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def hide_staging(viewer) -> None:
    EnvironmentRole.objects.create(user=viewer, environment="staging", role="none")


def test_each_event_names_its_environment_in_its_colour(viewer_client, two, events):
    html = viewer_client.get("/audit/").content.decode()
    assert '<span class="env-dot env-colour-red" aria-hidden="true"></span>Production' in html
    assert "Staging" in html


def test_the_log_filters_by_environment(viewer_client, two, events):
    assert labels(viewer_client.get("/audit/", {"environment": "staging"})) == ["Staging key"]
    choices = dict(viewer_client.get("/audit/").context["form"].fields["environment"].choices)
    assert choices == {"": "Any environment", "prod": "Production", "staging": "Staging"}


def test_events_of_hidden_environments_are_never_listed_or_exported(
    viewer_client, viewer, two, events
):
    hide_staging(viewer)
    assert labels(viewer_client.get("/audit/")) == ["Prod key"]
    response = viewer_client.get("/audit/", {"environment": "staging"})
    assert labels(response) == ["Prod key"]  # not a choice: the filter is ignored, not obeyed
    assert "Not filtered by Environment “staging”" in response.content.decode()
    assert "staging" not in dict(response.context["form"].fields["environment"].choices)
    exported = csv_rows(viewer_client.get("/audit/export.csv", {"environment": "staging"}))
    assert [row["target_label"] for row in exported] == ["Prod key"]


def test_events_of_an_environment_no_longer_configured_are_for_admins_only(
    viewer_client, admin_client, two, events
):
    assert "Retired key" not in labels(viewer_client.get("/audit/"))
    response = admin_client.get("/audit/")
    assert "Retired key" in labels(response)
    assert "retired (no longer configured)" in response.content.decode()
    choices = dict(response.context["form"].fields["environment"].choices)
    assert choices["retired"] == "retired (no longer configured)"
    assert labels(admin_client.get("/audit/", {"environment": "retired"})) == ["Retired key"]


def test_the_csv_export_names_each_events_environment(admin_client, two, events):
    rows = {row["target_label"]: row for row in csv_rows(admin_client.get("/audit/export.csv"))}
    assert rows["Prod key"]["environment"] == "prod"
    assert rows["Prod key"]["environment_name"] == "Production"
    assert rows["Retired key"]["environment_name"] == "retired (no longer configured)"


def test_the_overviews_link_opens_the_log_of_its_environment(viewer_client, two, events):
    html = viewer_client.get("/staging/").content.decode()
    assert 'href="/audit/?environment=staging"' in html
    assert labels(viewer_client.get("/audit/?environment=staging")) == ["Staging key"]
