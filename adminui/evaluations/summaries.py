"""AI evaluation summaries: asking for one, and reading what is stored.

A summary is asked for with `request_summary`, which stores a `SummaryRequest` and queues the
background task (`tasks.summarize_evaluation`) that calls PostHog. Everything else works on
stored requests (`comparison`, `exports`), so reading, comparing and exporting never wait on
PostHog.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from adminui.evaluations.tasks import summarize_evaluation
from adminui.models import SummaryRequest
from adminui.posthog import PostHogEnvironment
from adminui.posthog.evaluations import EvaluationSummary

# A request still running this long after PostHog's LLM read timeout has lost its worker.
STALLED_AFTER_SECONDS = 60


def request_summary(
    *,
    user: User,
    environment: PostHogEnvironment,
    evaluation_id: str,
    evaluation_name: str,
    filter: str,
    generation_ids: list[str],
    force_refresh: bool,
) -> tuple[SummaryRequest, bool]:
    """Store a summary request and queue it; (request, created).

    The same request still queued or running is returned instead of asking PostHog twice
    (PostHog makes one summary per project at a time anyway), unless it is a regeneration.
    """
    if not force_refresh:
        # A request running for longer than PostHog is given has lost its worker: not pending.
        alive_since = timezone.now() - timedelta(
            seconds=environment.llm_read_timeout + STALLED_AFTER_SECONDS
        )
        pending = SummaryRequest.objects.filter(
            Q(status=SummaryRequest.Status.QUEUED)
            | Q(status=SummaryRequest.Status.RUNNING, started_at__gte=alive_since),
            environment=environment.slug,
            evaluation_id=evaluation_id,
            filter=filter,
            generation_ids=generation_ids,
        ).first()
        if pending:
            return pending, False
    summary_request = SummaryRequest.objects.create(
        requested_by=user,
        requested_by_name=user.get_username(),
        environment=environment.slug,
        evaluation_id=evaluation_id,
        evaluation_name=evaluation_name,
        filter=filter,
        generation_ids=generation_ids,
        force_refresh=force_refresh,
    )
    queued = summarize_evaluation.enqueue(summary_request.pk)
    SummaryRequest.objects.filter(pk=summary_request.pk).update(task_id=str(queued.id))
    # The immediate backend has already run it; either way, read what is stored now.
    summary_request.refresh_from_db()
    return summary_request, True


def summary_of(summary_request: SummaryRequest) -> EvaluationSummary | None:
    if not summary_request.succeeded or not summary_request.result:
        return None
    return EvaluationSummary.from_api(summary_request.result)
