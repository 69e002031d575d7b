"""Helpers for the summary tests: task backends, the database worker, stored summaries."""

from __future__ import annotations

from unittest import mock

from django_tasks_db.management.commands.db_worker import Worker

from adminui.evaluations.summaries import request_summary
from adminui.posthog import get_environment
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EVALUATION_URL = f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/"
SUMMARIZE = f"{EVALUATION_URL}summarize/"


def run_worker() -> None:
    """django-tasks-db's worker, in this process: runs every queued task, then returns.

    The worker closes stale connections between tasks. Inside a test's transaction that
    closes the connection holding the test's rows (on PostgreSQL; SQLite keeps an in-memory
    database open), so here it does not, as Django's test client does around its requests."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


def stored_summary(user, *, evaluation_id: str = EVAL_ANSWER_RELEVANCE, **params):
    """Ask the sandbox for a summary and run it to the end, as the worker would."""
    from django.test import override_settings

    params = {"filter": "all", "generation_ids": [], "force_refresh": False} | params
    with override_settings(TASKS=IMMEDIATE):
        summary_request, _ = request_summary(
            user=user,
            environment=get_environment("sandbox"),
            evaluation_id=evaluation_id,
            evaluation_name="Answer relevance",
            **params,
        )
    return summary_request
