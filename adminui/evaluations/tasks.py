"""Background tasks (Django's tasks framework; `make run` starts the database worker).

PostHog's summary call runs an LLM and can take tens of seconds, so it never runs in a web
request: the view stores a SummaryRequest and queues `summarize_evaluation`, and the page polls
the stored request until this task has filled it in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.tasks import task
from django.utils import timezone

from adminui.audit.service import Target, record_call
from adminui.models import SummaryRequest
from adminui.posthog import PostHogError, get_client, get_environment
from adminui.posthog.retries import background_work
from adminui.web.failures import summary_message, wording_for
from adminui.web.roles import Role, may_act, no_longer_allowed

# SummaryRequest.error_kind of a request its asker may no longer make (never renamed).
NOT_ALLOWED = "not_allowed"
FINISHED_FIELDS = (
    "finished_at",
    "status",
    "result",
    "error_kind",
    "error_message",
    "error_retry_after",
    "error_fields",
)


@task()
@background_work
def summarize_evaluation(summary_id: int) -> str:
    """Ask PostHog for the summary a SummaryRequest describes, and store the answer or error.

    It waits as long as PostHog asks (a throttled summary is retried after its Retry-After)."""
    started = SummaryRequest.objects.filter(
        pk=summary_id, status=SummaryRequest.Status.QUEUED
    ).update(status=SummaryRequest.Status.RUNNING, started_at=timezone.now())
    if not started:  # already taken by another worker, or deleted
        return "skipped"
    summary_request = SummaryRequest.objects.select_related("requested_by").get(pk=summary_id)
    refused = refusal_of(summary_request)
    if refused:
        finish(summary_request, failure=refused)
        return SummaryRequest.Status.FAILED
    environment = get_environment(summary_request.environment)
    try:
        summary = record_call(
            summary_request.requested_by,
            environment,
            actor_name=summary_request.requested_by_name,
            action="evaluation.summarize",
            target=Target(
                "evaluation", summary_request.evaluation_id, summary_request.evaluation_name
            ),
            sent={
                "filter": summary_request.filter,
                "generation_ids": len(summary_request.generation_ids),
                "force_refresh": summary_request.force_refresh,
            },
            call=lambda: get_client(environment).summarize_evaluation(
                evaluation_id=summary_request.evaluation_id,
                filter=summary_request.filter,
                generation_ids=summary_request.generation_ids or None,
                force_refresh=summary_request.force_refresh,
            ),
        )
    except PostHogError as error:
        failure = failure_of(error, summary_request, environment.llm_read_timeout)
        finish(summary_request, failure=failure)
        return SummaryRequest.Status.FAILED
    except Exception as exception:  # stored so the page stops waiting; the worker logs it
        finish(summary_request, failure=failure_of(exception, summary_request, None))
        raise
    finish(summary_request, result=summary.to_dict())
    return SummaryRequest.Status.SUCCEEDED


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str
    retry_after: int | None = None
    fields: dict[str, list[str]] | None = None


def refusal_of(summary_request: SummaryRequest) -> Failure | None:
    """Whoever asked must still be an Editor there now, as the view checked when they asked
    (a role taken away, or an environment gone, since): else nothing goes to PostHog."""
    user, slug = summary_request.requested_by, summary_request.environment
    try:
        environment = get_environment(slug)
    except LookupError:
        environment = None
    if environment is not None and may_act(user, environment, Role.EDITOR):
        return None
    message = no_longer_allowed(summary_request.requested_by_name, Role.EDITOR, environment or slug)
    return Failure(NOT_ALLOWED, message)


def failure_of(error: Exception, summary_request: SummaryRequest, timeout: float | None) -> Failure:
    """What went wrong (in PostHog, or in this worker), said for the person who asked."""
    wording = wording_for(error)
    fields = getattr(error, "field_errors", None) if wording.summary_with_fields else None
    message = summary_message(
        error,
        evaluation_id=summary_request.evaluation_id,
        runs=summary_request.get_filter_display().lower(),
        generation_count=len(summary_request.generation_ids),
        timeout=timeout,
    )
    # PostHog's Retry-After matters only where asking again can help.
    retry_after = getattr(error, "retry_after", None) if wording.retryable else None
    return Failure(wording.kind, message, retry_after, dict(fields) if fields else None)


def finish(
    summary_request: SummaryRequest, *, result: dict | None = None, failure: Failure | None = None
) -> None:
    summary_request.finished_at = timezone.now()
    if failure is None:
        summary_request.status = SummaryRequest.Status.SUCCEEDED
        summary_request.result = result
    else:
        summary_request.status = SummaryRequest.Status.FAILED
        summary_request.error_kind = failure.kind
        summary_request.error_message = failure.message
        summary_request.error_retry_after = failure.retry_after
        summary_request.error_fields = failure.fields or {}
    # Only what this task owns: the view may still be writing task_id on the same row.
    summary_request.save(update_fields=FINISHED_FIELDS)
