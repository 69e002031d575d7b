"""Keeping evaluations running when keys change: turn one on or off, point its judge at another
provider key or model, or move every evaluation off a key at once.

Each change is one `PATCH evaluations/{id}/` (scope `evaluation:write`) through the audit
helper. PostHog's refusals go on the field they name: its attrs `model_configuration__model`,
`model_configuration__provider_key_id`, ... map onto the portal's form fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from adminui.audit.service import Target, record_write
from adminui.evaluations.forms import JudgeForm, place_on_form
from adminui.evaluations.views import render_detail
from adminui.posthog import (
    Evaluation,
    PostHogEnvironment,
    PostHogError,
    PostHogValidationError,
    get_client,
)
from adminui.web.htmx import HtmxHttpRequest
from adminui.web.responses import go_to
from adminui.web.roles import Role, role_required


def update(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation: Evaluation, changes: dict
):
    """One audited PATCH of `evaluation`; PostHog errors propagate to the caller."""
    return record_write(
        request,
        environment,
        action="evaluation.update",
        target=Target("evaluation", evaluation.id, evaluation.name),
        sent=changes,
        call=lambda: get_client(environment).update_evaluation(evaluation.id, changes),
    )


@require_POST
@role_required(Role.EDITOR)
def evaluation_judge(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    """Point an LLM judge at another key or model (and optionally turn it back on)."""
    client = get_client(environment)
    evaluation = client.get_evaluation(evaluation_id)
    form = JudgeForm(request.POST, keys=client.list_provider_keys(), evaluation=evaluation)
    if form.is_valid():
        try:
            updated = update(request, environment, evaluation, form.changes())
        except PostHogError as error:
            place_on_form(form, error)
        else:
            config = updated.model_configuration
            where = f"{config.model} with “{config.provider_key_name}”" if config else "its new key"
            messages.success(request, f"“{updated.name}” now runs {where}.")
            return go_to(request, reverse("evaluation-detail", args=[environment, evaluation.id]))
    return render_detail(request, environment, evaluation_id, judge_form=form, status=400)


@require_POST
@role_required(Role.EDITOR)
def evaluation_toggle(
    request: HtmxHttpRequest, environment: PostHogEnvironment, evaluation_id: str
) -> HttpResponse:
    """Turn an evaluation on or off. PostHog refuses to turn on one stopped by a failing key
    until it has a working key: that refusal is shown on the page the user pressed it on."""
    evaluation = get_client(environment).get_evaluation(evaluation_id)
    enabled = request.POST.get("enabled") == "true"
    page = reverse("evaluation-detail", args=[environment, evaluation.id])
    try:
        updated = update(request, environment, evaluation, {"enabled": enabled})
    except PostHogValidationError as error:
        messages.error(
            request,
            f"PostHog refused to change “{evaluation.name}”: {error.detail or error.message}",
        )
        return go_to(request, page + "#judge")
    state = "on: it runs on new generations again" if updated.enabled else "off: it stops judging"
    messages.success(request, f"“{updated.name}” is {state}.")
    return go_to(request, page)


@require_POST
@role_required(Role.EDITOR)
def key_move_evaluations(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    """From a key's page: move the chosen evaluations that use it to a healthy key of the same
    provider (what PostHog offers as a replacement), each keeping its model; optionally turn
    on the ones that are off. One audited PATCH per evaluation; each can fail on its own."""
    client = get_client(environment)
    page = reverse("key-detail", args=[environment, key_id])
    dependents = client.get_dependent_configs(key_id)
    chosen = set(request.POST.getlist("evaluation")) & {e.id for e in dependents.evaluations}
    target = next(
        (k for k in dependents.alternative_keys if k.id == request.POST.get("replacement_key_id")),
        None,
    )
    if not chosen or target is None:
        messages.error(request, "Choose the evaluations to move and a working key to move them to.")
        return go_to(request, page + "#key-dependents")
    moved, failed = [], []
    for evaluation in client.list_evaluations(ids=sorted(chosen), limit=len(chosen)).results:
        changes = moved_to(
            evaluation, target.provider, target.id, request.POST.get("enable") == "on"
        )
        try:
            moved.append(update(request, environment, evaluation, changes).name)
        except PostHogError as error:
            failed.append(f"“{evaluation.name}”: {error.message}")
    if moved:
        names = ", ".join(f"“{name}”" for name in moved)
        messages.success(request, f"Moved to “{target.name}”: {names}.")
    if failed:
        messages.error(request, "Not moved: " + " ".join(failed))
    return go_to(request, page)


def moved_to(evaluation: Evaluation, provider: str, key_id: str, enable: bool) -> dict:
    """The PATCH that pins `evaluation` to another key and keeps its model."""
    config = evaluation.model_configuration
    changes: dict = {
        "model_configuration": {
            "provider": provider,
            "model": config.model if config else "",
            "provider_key_id": key_id,
        }
    }
    if enable and not evaluation.enabled:
        changes["enabled"] = True
    return changes
