"""The one helper every write to PostHog goes through, so each one lands in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from adminui.models import AuditEvent
from adminui.posthog import PostHogEnvironment, PostHogError
from adminui.posthog.redaction import redact, redact_payload
from adminui.web.errors import add_to_form
from adminui.web.listcopy import invalidate


@dataclass(frozen=True)
class Target:
    type: str
    id: str = ""
    label: str = ""


def record_write[T](
    request: HttpRequest,
    environment: PostHogEnvironment,
    *,
    action: str,
    target: Target,
    sent: dict[str, Any] | None,
    call: Callable[[], T],
    learnt: Callable[[T], dict[str, Any]] | None = None,
) -> T:
    """Run `call` (a write to PostHog) and record who did what, to what, and how it went.

    `sent` is what the call sends; it is stored with secrets removed, as is what `learnt` reads
    from a successful answer (a rotated key's new masked form). PostHog errors are recorded and
    re-raised for the view's error handling.
    """
    actor = request.user if request.user.is_authenticated else None
    return record_call(
        actor, environment, action=action, target=target, sent=sent, call=call, learnt=learnt
    )


def record_call[T](
    actor: User | None,
    environment: PostHogEnvironment,
    *,
    action: str,
    target: Target,
    sent: dict[str, Any] | None,
    call: Callable[[], T],
    actor_name: str = "",
    learnt: Callable[[T], dict[str, Any]] | None = None,
) -> T:
    """`record_write` for calls made outside a web request (a background task) for `actor`.

    The row is saved as pending *before* the call is sent, so a write whose worker is stopped
    mid-call (the server's timeout) still shows in the log; its outcome is filled in after.
    """
    event = AuditEvent.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else "") or "anonymous",
        environment=environment.slug,
        action=action,
        target_type=target.type,
        target_id=str(target.id),
        target_label=target.label,
        details=redact_payload(sent or {}),
        outcome=AuditEvent.Outcome.PENDING,
    )
    try:
        result = call()
    except PostHogError as error:
        invalidate(environment)  # a failed write may still have applied

        event.outcome = (
            AuditEvent.Outcome.UNKNOWN if error.may_have_applied else AuditEvent.Outcome.FAILURE
        )
        event.error = redact(error.message)
        event.save(update_fields=["outcome", "error"])
        raise
    event.outcome = AuditEvent.Outcome.SUCCESS
    # A create only learns its target's id (and an action by id its name) from PostHog's answer.
    event.target_id = event.target_id or str(getattr(result, "id", ""))
    event.target_label = event.target_label or str(getattr(result, "name", "") or "")
    if learnt:
        event.details |= redact_payload(learnt(result))
    try:
        event.save(update_fields=["outcome", "target_id", "target_label", "details"])
    finally:
        # Every list's copy of this environment is now out of date (adminui/web/listcopy.py);
        # after the audit row, so a list drawn from then on also shows who added or rotated.
        invalidate(environment)
    return result


def record_form_write[T](form, request: HttpRequest, environment, **write) -> T | None:
    """`record_write` for a form's submission: on failure, PostHog's complaint goes on the form
    (see `add_to_form`) and None comes back, so the form is shown again with nothing lost."""
    try:
        return record_write(request, environment, **write)
    except PostHogError as error:
        add_to_form(form, error)
        return None
