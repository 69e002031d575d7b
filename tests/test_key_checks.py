"""The scheduled sweep validates every due key once, records what changed, respects PostHog's
throttles, and never runs twice at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from adminui.keys.lease import Lease
from adminui.keys.models import KeyStateChange, SweepLease
from adminui.keys.sweep import LEASE_NAME, sweep
from adminui.keys.tasks import sweep_keys
from adminui.models import AuditEvent
from adminui.sandbox.demo import KEY_CLAUDE, KEY_OLD_ANTHROPIC, KEY_PRODUCTION_OPENAI
from tests.summary_helpers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)
VALIDATE = r"/provider_keys/[^/]+/validate/$"


def key_count(sandbox) -> int:
    return len(sandbox.state.provider_keys)


def test_a_sweep_validates_each_key_once_and_hands_what_it_saw_to_the_alerts(
    quick_checks, snapshots, sandbox
):
    [summary] = sweep()
    assert summary.checked == key_count(sandbox) and summary.failed == 0
    assert len(sandbox.received(VALIDATE, "POST")) == key_count(sandbox)
    [snapshot] = snapshots
    assert snapshot.active_key_id == KEY_PRODUCTION_OPENAI
    assert {key.id: key.state for key in snapshot.keys}[KEY_OLD_ANTHROPIC] == "invalid"
    assert snapshot.evaluations and snapshot.integrations and snapshot.failover is None
    # Each check is in the audit log as the scheduler's, with no user.
    checks = AuditEvent.objects.filter(action="provider_key.validate")
    assert checks.count() == key_count(sandbox)
    assert {(e.actor_id, e.actor_name) for e in checks} == {(None, "Scheduler")}


def test_only_changes_are_recorded_and_a_key_turning_invalid_is_one(
    quick_checks, snapshots, sandbox
):
    sweep()
    first = KeyStateChange.objects.count()
    assert first == key_count(sandbox)  # every key's first observation
    sweep()
    assert KeyStateChange.objects.count() == first  # nothing changed

    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    [summary] = sweep()
    assert summary.changed == 1
    change = KeyStateChange.objects.first()
    assert (change.key_id, change.from_state, change.to_state) == (KEY_CLAUDE, "ok", "invalid")
    assert (change.message, change.failure_class, change.trigger) == (
        "Invalid API key",
        "invalid_key",
        "schedule",
    )


def test_keys_validated_through_the_portal_a_moment_ago_are_skipped(
    quick_checks, snapshots, sandbox
):
    quick_checks.KEY_CHECK_SKIP_MINUTES = 30
    sweep()
    sandbox.requests.clear()
    [summary] = sweep()
    assert (summary.checked, summary.skipped) == (0, key_count(sandbox))
    assert sandbox.received(VALIDATE, "POST") == []
    [summary] = sweep(force=True)
    assert summary.checked == key_count(sandbox)


def test_a_429_is_waited_for_as_posthog_asks_and_the_sweep_goes_on(
    quick_checks, snapshots, sandbox
):
    sandbox.faults.add(VALIDATE, status=429, headers={"Retry-After": "1"}, times=1)
    [summary] = sweep()
    assert summary.checked == key_count(sandbox) and summary.failed == 0
    # One refused call, then every key once: no retry storm.
    assert len(sandbox.received(VALIDATE, "POST")) == key_count(sandbox) + 1


def test_a_throttle_longer_than_the_cap_ends_the_environment_until_the_next_sweep(
    quick_checks, snapshots, sandbox
):
    sandbox.faults.add(VALIDATE, status=429, headers={"Retry-After": "3600"})
    [summary] = sweep()
    assert (summary.checked, summary.failed) == (0, 1)
    assert "rate limiting" in summary.problem
    assert len(sandbox.received(VALIDATE, "POST")) == 1


def test_two_sweeps_at_once_run_one_and_the_other_says_so(quick_checks, snapshots, sandbox):
    sandbox.switch(validation_delay=0.1)
    results: list = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(sweep())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False, True]
    assert len(sandbox.received(VALIDATE, "POST")) == key_count(sandbox)
    # The lease is free again: the next sweep runs.
    assert sweep() is not None


def test_check_keys_prints_a_summary_per_environment(quick_checks, snapshots, sandbox, capsys):
    call_command("check_keys", "--environment", "sandbox")
    assert f"sandbox: {key_count(sandbox)} checked, 0 skipped, 0 changed, 0 failed" in (
        capsys.readouterr().out
    )


def test_check_keys_fails_when_posthog_cannot_be_reached_or_the_environment_is_unknown(
    quick_checks, snapshots, sandbox, capsys
):
    with pytest.raises(CommandError, match="No environment is called 'nope'"):
        call_command("check_keys", "--environment", "nope")
    sandbox.faults.add(r"/provider_keys/$", status=503)
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("check_keys")
    assert "sandbox: 0 checked" in capsys.readouterr().out
    # Alerts about keys stay as they are: the snapshot says the keys could not be listed.
    assert snapshots[-1].keys is None


def test_the_scheduled_sweep_runs_one_step_per_queued_task(quick_checks, snapshots, sandbox):
    sweep_keys.enqueue()
    run_worker()  # runs each step's task as it is queued
    steps = DBTaskResult.objects.filter(task_path="adminui.keys.tasks.sweep_keys")
    assert steps.count() == key_count(sandbox) + 1
    assert {step.status for step in steps} == {"SUCCESSFUL"}
    assert len(sandbox.received(VALIDATE, "POST")) == key_count(sandbox)
    assert len(snapshots) == 1
    assert not SweepLease.objects.exclude(holder="").exists()  # released at the end


def test_with_the_immediate_backend_the_scheduled_sweep_runs_every_step_and_frees_the_lease(
    quick_checks, snapshots, sandbox, immediate
):
    result = sweep_keys.enqueue()
    assert result.status == "SUCCESSFUL" and result.return_value == "finished"
    assert len(sandbox.received(VALIDATE, "POST")) == key_count(sandbox)
    assert len(snapshots) == 1
    assert not SweepLease.objects.exclude(holder="").exists()


def test_a_scheduled_sweep_whose_plan_fails_frees_the_lease(quick_checks, monkeypatch):
    def broken_plan(*args, **kwargs):
        raise RuntimeError("the plan broke")

    monkeypatch.setattr("adminui.keys.tasks.plan", broken_plan)
    with pytest.raises(RuntimeError):
        sweep_keys.call()
    assert not SweepLease.objects.exclude(holder="").exists()


def test_a_scheduled_sweep_while_another_holds_the_lease_does_nothing(
    quick_checks, snapshots, sandbox
):
    other = Lease(LEASE_NAME, timedelta(minutes=5))
    assert other.take()
    assert sweep_keys.call() == "skipped: a sweep is running"
    assert sweep() is None
    assert sandbox.received(VALIDATE, "POST") == [] and snapshots == []
    # A step of a sweep whose lease went to another stops too.
    assert sweep_keys.call("someone-else", [["finish", "sandbox"]]).startswith("stopped")


def test_a_lease_asked_while_sqlite_is_locked_is_asked_again_and_a_lasting_error_stands(
    db, monkeypatch
):
    monkeypatch.setattr("adminui.keys.lease.LOCKED_PAUSE_SECONDS", 0)
    lease = Lease("test", timedelta(minutes=1))
    answers = iter([OperationalError("database table is locked")] * 2)
    take_once = lease._take

    def locked_twice() -> bool:
        error = next(answers, None)
        if error:
            raise error
        return take_once()

    monkeypatch.setattr(lease, "_take", locked_twice)
    assert lease.take() is True

    def always_locked() -> bool:
        raise OperationalError("database is locked")

    monkeypatch.setattr(lease, "_take", always_locked)
    with pytest.raises(OperationalError):
        lease.take()
