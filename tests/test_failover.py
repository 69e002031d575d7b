"""Failover, opt-in per environment: a failing active key is replaced by a healthy key of the
same provider, in the audit log as the scheduler's, and the alerts hear of it."""

from __future__ import annotations

import pytest

from adminui.keys.sweep import sweep
from adminui.models import AuditEvent
from adminui.sandbox.demo import KEY_PRODUCTION_OPENAI, KEY_STAGING_OPENAI

pytestmark = pytest.mark.django_db(transaction=True)
SET_ACTIVE = r"/evaluation_config/set_active_key/$"


def test_without_opting_in_a_failing_active_key_stays_active(
    quick_checks, snapshots, sandbox, failover
):
    failover(enabled=False)
    sandbox.provider_answer(KEY_PRODUCTION_OPENAI, "invalid")
    [summary] = sweep()
    assert summary.failover is None
    assert sandbox.received(SET_ACTIVE) == []
    assert sandbox.state.active_key_id == KEY_PRODUCTION_OPENAI
    assert snapshots[0].active_key_id == KEY_PRODUCTION_OPENAI


def test_opted_in_the_active_key_fails_over_to_a_healthy_key_of_its_provider(
    quick_checks, snapshots, sandbox, failover
):
    failover()
    sandbox.provider_answer(KEY_PRODUCTION_OPENAI, "quota")
    [summary] = sweep()
    assert (summary.failover.from_key.id, summary.failover.to_key.id) == (
        KEY_PRODUCTION_OPENAI,
        KEY_STAGING_OPENAI,
    )
    assert sandbox.state.active_key_id == KEY_STAGING_OPENAI
    [snapshot] = snapshots
    assert snapshot.active_key_id == KEY_STAGING_OPENAI
    assert snapshot.failover == summary.failover
    event = AuditEvent.objects.get(action="evaluation_config.set_active_key")
    assert (event.actor_id, event.actor_name, event.target_id, event.outcome) == (
        None,
        "Scheduler",
        KEY_STAGING_OPENAI,
        "success",
    )
    assert event.details == {"key_id": KEY_STAGING_OPENAI, "failover_from": KEY_PRODUCTION_OPENAI}


def test_no_failover_without_a_healthy_key_of_the_same_provider(
    quick_checks, snapshots, sandbox, failover
):
    failover()
    sandbox.provider_answer(KEY_PRODUCTION_OPENAI, "invalid")
    sandbox.provider_answer(KEY_STAGING_OPENAI, "invalid")
    [summary] = sweep()
    assert summary.failover is None and sandbox.received(SET_ACTIVE) == []


def test_a_healthy_active_key_is_left_alone(quick_checks, snapshots, sandbox, failover):
    failover()
    [summary] = sweep()
    assert summary.failover is None and sandbox.received(SET_ACTIVE) == []


def test_a_refused_failover_is_audited_as_failed_and_changes_nothing(
    quick_checks, snapshots, sandbox, failover
):
    failover()
    sandbox.switch(provider_key_refusal="evaluation_editor")
    sandbox.provider_answer(KEY_PRODUCTION_OPENAI, "invalid")
    [summary] = sweep()
    assert summary.failover is None and summary.failed == 1
    assert sandbox.state.active_key_id == KEY_PRODUCTION_OPENAI
    event = AuditEvent.objects.get(action="evaluation_config.set_active_key")
    assert event.outcome == "failure" and "edit evaluations" in event.error
    assert snapshots[0].active_key_id == KEY_PRODUCTION_OPENAI
