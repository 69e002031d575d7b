"""The portal's own data: the audit log of every write it sends to PostHog, and the history of
AI evaluation summaries."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

# How each recorded action reads in the log ("Jane created key Production").
ACTION_LABELS = {
    "provider_key.create": "created key",
    "provider_key.update": "edited key",
    "provider_key.rotate": "rotated key",
    "provider_key.delete": "deleted key",
    "provider_key.validate": "validated key",
    "evaluation_config.set_active_key": "set the evaluation key to",
    "evaluation.summarize": "asked for a summary of",
    "evaluation.update": "changed evaluation",
    "integration.authorize": "started connecting",
    "integration.refresh_repositories": "refreshed the GitHub repositories of",
}
# The same actions as a filter offers them: the phrase without the word that leads to its target.
ACTION_FILTER_LABELS = {
    action: (phrase := label.removesuffix(" to").removesuffix(" of"))[0].upper() + phrase[1:]
    for action, label in ACTION_LABELS.items()
}


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"
        # Recorded before the write is sent; a row left pending means the portal never learnt
        # the answer (its worker was stopped mid-call).
        PENDING = "pending", "No answer recorded"
        # Sent, but PostHog did not answer (a timeout, a dropped connection): it may have
        # applied the change.
        UNKNOWN = "unknown", "Outcome unknown"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept so the log still says who acted after a user is deleted.
    actor_name = models.CharField(max_length=150)
    environment = models.SlugField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error = models.TextField(blank=True)
    # What was sent, with every secret removed (see adminui.audit.record_write).
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_label or self.target_id}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


# How long PostHog keeps a summary it made and answers the same request with it.
POSTHOG_SUMMARY_CACHE = timedelta(hours=1)


class SummaryRequest(models.Model):
    """One request for an AI summary of an evaluation's runs, and how it went.

    PostHog keeps a summary for an hour; the portal keeps every request, its parameters, its
    timing and its result or error, so summaries can be read later and compared over time. A
    background task (adminui/evaluations/tasks.py) moves it from queued to running to
    succeeded or failed. Nothing secret is stored.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Filter(models.TextChoices):
        ALL = "all", "All runs"
        PASS = "pass", "Passing runs"
        FAIL = "fail", "Failing runs"
        NA = "na", "N/A runs"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept so the history still says who asked after a user is deleted.
    requested_by_name = models.CharField(max_length=150)
    environment = models.SlugField(max_length=64)
    evaluation_id = models.CharField(max_length=64)
    evaluation_name = models.CharField(max_length=255, blank=True)
    filter = models.CharField(max_length=8, choices=Filter.choices, default=Filter.ALL)
    generation_ids = models.JSONField(default=list, blank=True)
    force_refresh = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # PostHog's answer (EvaluationSummary.to_dict()) when it succeeded.
    result = models.JSONField(null=True, blank=True)
    # Why it failed: a kind the page explains (evaluations/summaries.py), PostHog's
    # message, how long PostHog asked to wait, and its field errors.
    error_kind = models.CharField(max_length=32, blank=True)
    error_message = models.TextField(blank=True)
    error_retry_after = models.PositiveIntegerField(null=True, blank=True)
    error_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["environment", "evaluation_id", "-created_at"],
                name="adminui_summary_eval_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Summary of {self.evaluation_name or self.evaluation_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def duration_seconds(self) -> float | None:
        """How long PostHog took, from the worker's call to its answer."""
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def waited_seconds(self) -> int:
        """Seconds since it was asked for (queued) or since the worker started it (running)."""
        since = self.started_at if self.status == self.Status.RUNNING else self.created_at
        return max(0, int((timezone.now() - since).total_seconds())) if since else 0

    @property
    def retry_at(self):
        """When PostHog said it would accept another request, if it said."""
        if self.error_retry_after and self.finished_at:
            return self.finished_at + timedelta(seconds=self.error_retry_after)
        return None

    @property
    def scope_label(self) -> str:
        """What was summarised: "all runs", or "failing runs of 3 generations"."""
        runs = self.get_filter_display().lower()
        count = len(self.generation_ids)
        return f"{runs} of {count} generation{'s' if count != 1 else ''}" if count else runs

    @cached_property
    def cached_from(self) -> SummaryRequest | None:
        """The earlier request whose answer PostHog served again from its cache, if this one is.

        PostHog does not flag a cache hit; it caches an answer for an hour per evaluation,
        filter and set of generations (docs/posthog-contract.md §2.14). A request that did not
        skip the cache and got the very answer an earlier one within that hour got, got it
        from the cache.
        """
        if self.force_refresh or not self.succeeded or self.result is None:
            return None
        earlier = SummaryRequest.objects.filter(
            environment=self.environment,
            evaluation_id=self.evaluation_id,
            filter=self.filter,
            status=self.Status.SUCCEEDED,
            created_at__lt=self.created_at,
            created_at__gte=self.created_at - POSTHOG_SUMMARY_CACHE,
        ).exclude(pk=self.pk)
        wanted = sorted(self.generation_ids)
        return next(
            (
                candidate
                for candidate in earlier
                if sorted(candidate.generation_ids) == wanted and candidate.result == self.result
            ),
            None,
        )


class ApiPrefixMove(models.Model):
    """An environment whose API calls follow PostHog's move from ``/api/environments/`` to
    ``/api/projects/`` (``POSTHOG_API_PREFIX=auto``, docs/posthog-contract.md §1.1).

    Stored so every process and every restart starts on the successor paths instead of the
    deprecated alias. Keyed by the environment's slug (its stable name in URLs); the host and
    project id it was recorded for are kept too, so pointing a slug at another PostHog starts
    over on the documented path.
    """

    environment = models.SlugField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    project_id = models.PositiveBigIntegerField()
    prefix = models.CharField(max_length=16)
    # "announced": PostHog's Link successor-version header; "alias_gone": the alias answered
    # "Endpoint not found." and the successor path answered instead.
    reason = models.CharField(max_length=16)
    moved_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.environment}: /api/{self.prefix}/ ({self.reason})"


class SessionEpoch(models.Model):
    """A user's session generation: every session remembers the epoch it was opened in, and one
    from an older epoch is over ("log out everywhere", adminui/accounts/sessions.py). Kept apart
    from the sessions themselves, so it works with any session backend (database, cache)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    epoch = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Sessions of user {self.user_id}: epoch {self.epoch}"


class BulkValidation(models.Model):
    """One "validate these keys" run without JavaScript: the keys to check and, as the background
    task (adminui/keys/tasks.py) checks them one by one, each outcome. Nothing secret is stored:
    a key's name, its state as PostHog sees it, and PostHog's message."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    created_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)
    environment = models.SlugField(max_length=64)
    # [{"id": ..., "name": ...}] in the order shown.
    keys = models.JSONField(default=list)
    # key id -> {"state", "error_message"} as PostHog answered, or {"failure"}: why it could not.
    results = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Validation of {len(self.keys)} keys ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


# Single sign-on links and roles per environment live with the accounts area; imported here so
# the app registers them.
from adminui.accounts.models import EnvironmentRole, ExternalIdentity  # noqa: E402, F401
from adminui.alerts.models import Alert, AlertNotification  # noqa: E402, F401
from adminui.keys.models import KeyStateChange, SweepLease  # noqa: E402, F401
