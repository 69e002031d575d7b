"""With a real scheduler and a real worker, each its own process: the scheduler queues the
sweep soon after it starts, the worker runs it one step per task (each queued after a random
pause) against the sandbox, and a key the sandbox turned invalid is in the history."""

from __future__ import annotations

import time

from adminui.sandbox.demo import KEY_CLAUDE
from tests.processes import WORKER, process_environment, query, running

VALIDATE = r"/provider_keys/[^/]+/validate/$"


def test_the_scheduler_queues_a_sweep_that_the_worker_runs(tmp_path, sandbox):
    sandbox.switch(validation_delay=0.01)
    sandbox.provider_answer(KEY_CLAUDE, "invalid")
    database = tmp_path / "schedule.sqlite3"
    env = process_environment(
        database, sandbox, KEY_CHECK_FIRST_DELAY_SECONDS="1", KEY_CHECK_SPREAD_SECONDS="1"
    )
    with running(env, ["scheduler"], WORKER) as processes:
        keys = len(sandbox.state.provider_keys)
        deadline = time.monotonic() + 90
        tasks: list = []
        # One task per key's check, the last one also finishing the environment.
        while time.monotonic() < deadline and ("SUCCESSFUL", '"finished"') not in tasks:
            time.sleep(0.5)
            tasks = query(
                database,
                "SELECT status, return_value FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = 'adminui.keys.tasks.sweep_keys' ORDER BY enqueued_at",
            )
        assert len(tasks) == keys + 1 and {status for status, _ in tasks} == {"SUCCESSFUL"}
        assert len(sandbox.received(VALIDATE, "POST")) == keys
        rows = query(
            database,
            "SELECT to_state, message, failure_class, trigger, actor_name"
            " FROM adminui_keystatechange WHERE key_id = ?",
            (KEY_CLAUDE,),
        )
        assert rows == [("invalid", "Invalid API key", "invalid_key", "schedule", "Scheduler")]
    assert "Key checks: first at" in processes[0].stdout.read()
