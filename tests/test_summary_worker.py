"""The real database worker runs queued summaries, and the page picks the result up."""

from __future__ import annotations

import json

from django_tasks_db.models import DBTaskResult

from adminui.models import AuditEvent, SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from tests.conftest import HTMX
from tests.processes import manage, process_environment, query
from tests.summary_helpers import EVALUATION_URL, SUMMARIZE, run_worker


def test_the_worker_runs_the_queued_summary_and_the_page_picks_it_up(editor_client, sandbox):
    editor_client.post(SUMMARIZE, {"filter": "fail"})
    queued = SummaryRequest.objects.get()
    assert queued.status == SummaryRequest.Status.QUEUED
    task = DBTaskResult.objects.get()
    assert task.task_path == "adminui.evaluations.tasks.summarize_evaluation"
    assert task.args_kwargs == {"args": [queued.pk], "kwargs": {}}
    assert str(task.id) == queued.task_id
    panel_url = f"{EVALUATION_URL}summaries/{queued.pk}/"
    polled = editor_client.get(panel_url, headers=HTMX)
    assert polled.status_code == 200 and b"Queued" in polled.content

    run_worker()

    done = SummaryRequest.objects.get()
    assert done.status == SummaryRequest.Status.SUCCEEDED
    assert done.started_at and done.finished_at and done.duration_seconds >= 0.05
    assert done.result["statistics"]["pass_count"] == 0
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert AuditEvent.objects.get().actor_name == "eddie"
    # The polling panel gets the result and stops; a user who comes back finds it too.
    polled = editor_client.get(panel_url, headers=HTMX)
    assert polled.status_code == 286
    assert b"Overall assessment" in polled.content
    assert b"Overall assessment" in editor_client.get(EVALUATION_URL).content


ASK = f"""
from django.contrib.auth.models import Group, User
from adminui.posthog import get_environment
from adminui.evaluations.summaries import request_summary
user = User.objects.create_user("eddie")
user.groups.add(Group.objects.get(name="Editor"))  # the worker checks the role again
summary_request, _ = request_summary(
    user=user, environment=get_environment("sandbox"), evaluation_id="{EVAL_ANSWER_RELEVANCE}",
    evaluation_name="Answer relevance", filter="pass", generation_ids=[], force_refresh=False,
)
print(summary_request.status)
"""


def test_a_worker_process_runs_a_summary_queued_by_another(tmp_path, sandbox):
    database = tmp_path / "worker.sqlite3"
    env = process_environment(database, sandbox)

    def succeeded(*args: str) -> str:
        done = manage(env, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert succeeded("shell", "-v", "0", "-c", ASK).strip() == "queued"
    succeeded("db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0")

    status, result, requested_by = query(
        database, "SELECT status, result, requested_by_name FROM adminui_summaryrequest"
    )[0]
    task_status = query(database, "SELECT status FROM django_tasks_database_dbtaskresult")[0]
    assert (status, requested_by, task_status) == ("succeeded", "eddie", ("SUCCESSFUL",))
    statistics = json.loads(result)["statistics"]
    assert statistics["pass_count"] == statistics["total_analyzed"] > 0
