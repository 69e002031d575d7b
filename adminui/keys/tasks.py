"""Bulk validation and the scheduled key sweep, in the background (Django's tasks framework).

Each validation makes PostHog call the provider, about a second per key; a page that waited for
all of them would hold a web worker for as long as the list is long. Without JavaScript the view
stores a BulkValidation and queues `validate_keys`, and the progress page follows the stored
outcomes until this task has checked every key. (With htmx each row asks for its own key.)
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from adminui.audit.service import Target, record_call
from adminui.keys.history import Trigger, record_state
from adminui.keys.lease import Lease
from adminui.keys.sweep import LEASE_NAME, Step, lease_ttl, plan, run_step, run_steps
from adminui.models import BulkValidation
from adminui.posthog import PostHogEnvironment, PostHogError, get_client, get_environment
from adminui.posthog.retries import background_work
from adminui.web.failures import hint_for
from adminui.web.roles import Role, forget_roles, may_act, no_longer_allowed


@task()
@background_work
def sweep_keys(holder: str = "", steps: list[Step] | None = None) -> str:
    """The scheduled sweep (queued by `manage.py scheduler`), one step per task: each runs one
    step of the plan and queues the next after a random pause (adminui/keys/sweep.py). On a
    backend that cannot defer a task (TASKS_BACKEND=immediate) the steps run here, one after
    another, without the pauses."""
    spread = settings.KEY_CHECK_SPREAD_SECONDS
    lease = Lease(LEASE_NAME, lease_ttl(spread), holder or None)
    if not lease.take():
        return "stopped: another sweep holds the lease" if holder else "skipped: a sweep is running"
    try:
        if steps is None:
            steps = plan(None, force=False)
        steps = run_step(steps) if steps else []
        if steps and sweep_keys.get_backend().supports_defer:
            pause = random.uniform(0, spread) if steps[0][0] == "check" else 0  # noqa: S311 (jitter)
            later = sweep_keys.using(run_after=timezone.now() + timedelta(seconds=pause))
            later.enqueue(lease.holder, steps)
            return f"{len(steps)} steps left"
        run_steps(lease, steps)
    except Exception:
        lease.release()  # the plan is lost with this task: let the next sweep start at once
        raise
    lease.release()
    return "finished"


@task()
def validate_keys(run_id: int) -> str:
    """Validate each key of a BulkValidation in turn, storing each outcome as it comes."""
    started = BulkValidation.objects.filter(pk=run_id, status=BulkValidation.Status.QUEUED).update(
        status=BulkValidation.Status.RUNNING, started_at=timezone.now()
    )
    if not started:  # already taken by another worker, or deleted
        return "skipped"
    run = BulkValidation.objects.select_related("requested_by").get(pk=run_id)
    try:
        environment: PostHogEnvironment | None = get_environment(run.environment)
    except LookupError:  # no longer configured
        environment = None
    try:
        for key in run.keys:
            if environment is not None and still_allowed(run, environment):
                run.results[key["id"]] = outcome_of(run, environment, key)
            else:
                where = environment or run.environment
                refused = no_longer_allowed(run.requested_by_name, Role.EDITOR, where)
                run.results[key["id"]] = {"failure": refused}
            run.save(update_fields=["results"])
    finally:
        # Even if the worker itself fails, the page stops waiting; unchecked keys say so.
        run.status, run.finished_at = BulkValidation.Status.FINISHED, timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return BulkValidation.Status.FINISHED


def still_allowed(run: BulkValidation, environment: PostHogEnvironment) -> bool:
    """Whether the requester is still an Editor there, read again before each key (a run takes
    about a second a key): a role taken away meanwhile stops what is left."""
    if run.requested_by is not None:
        forget_roles(run.requested_by)
    return may_act(run.requested_by, environment, Role.EDITOR)


def outcome_of(
    run: BulkValidation, environment: PostHogEnvironment, key: dict[str, str]
) -> dict[str, str | None]:
    """One key validated (and audited, as a single validation is), or why it could not be."""
    try:
        checked = record_call(
            run.requested_by,
            environment,
            actor_name=run.requested_by_name,
            action="provider_key.validate",
            target=Target("provider_key", key["id"], key["name"]),
            sent=None,
            call=lambda: get_client(environment).validate_provider_key(key["id"]),
        )
    except PostHogError as error:
        return {"failure": f"{error.message} {hint_for(error)}".strip()}
    record_state(
        environment,
        checked,
        trigger=Trigger.BULK,
        actor=run.requested_by,
        actor_name=run.requested_by_name,
    )
    return {"name": checked.name, "state": checked.state, "error_message": checked.error_message}


def queue_bulk_validation(user, environment, keys) -> BulkValidation:
    """Store a run for these keys (ProviderKeys, in the order shown) and queue its task."""
    run = BulkValidation.objects.create(
        requested_by=user,
        requested_by_name=user.get_username(),
        environment=environment.slug,
        keys=[{"id": key.id, "name": key.name} for key in keys],
    )
    queued = validate_keys.enqueue(run.pk)
    BulkValidation.objects.filter(pk=run.pk).update(task_id=str(queued.id))
    return run


NOT_CHECKED = "Not checked: the background work stopped before this key. Validate it again."


def rows_of(run: BulkValidation) -> list[dict]:
    """What keys/bulk_validate.html#outcome shows for each key of a run, checked or not yet."""
    rows = []
    for key in run.keys:
        result = run.results.get(key["id"])
        if result is None:
            rows.append({"name": key["name"], "pending": not run.is_finished})
            if run.is_finished:
                rows[-1]["error"] = {"message": NOT_CHECKED}
        elif "failure" in result:
            rows.append({"name": key["name"], "error": {"message": result["failure"]}})
        else:
            rows.append({"name": result["name"], "key": result})
    return rows
