"""Rotating a key in place: /<environment>/keys/<id>/rotate/ (Editors and up).

Three steps, each stopping the rotation with a message on the form when it fails:
1. the provider checks the new secret (`provider_key_validations`): nothing changes before it
   accepts it;
2. PostHog stores it on the same key (PATCH `api_key` only, which PostHog checks live once
   more): the key's id stays, so every evaluation pinned to it and the active-key setting go on
   using it; the audit log records one "rotated key" event with the old and new masked forms;
3. PostHog validates the stored key again, and the message says how that went.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from adminui.audit.service import Target, record_write
from adminui.keys.forms import RotateForm
from adminui.keys.history import Trigger
from adminui.keys.inventory import active_key_id
from adminui.keys.providers import key_state_label, provider_info
from adminui.keys.views import validate
from adminui.posthog import PostHogEnvironment, PostHogError, get_client
from adminui.posthog.keys import ProviderKey
from adminui.web.concurrency import gather
from adminui.web.errors import add_to_form
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.responses import go_to
from adminui.web.roles import Role, role_required

# The inputs besides the key that the provider's check may blame, as the rotate form names them.
ENDPOINT_LABELS = {"azure_endpoint": "Azure endpoint", "base_url": "base URL"}


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
@sensitive_post_parameters("api_key")
def key_rotate(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    client = get_client(environment)
    if request.method == "GET":
        # What keeps running on the key is shown next to the form; the key alone is required.
        loaded = gather(
            {
                "key": lambda: client.get_provider_key(key_id),
                "dependents": lambda: client.get_dependent_configs(key_id),
                "config": client.get_evaluation_config,
            }
        )
        if loaded["key"].error:
            raise loaded["key"].error
        key = loaded["key"].value
        context = {
            "form": RotateForm(key=key, environment=environment),
            "key": key,
            "dependents": loaded["dependents"],
            "is_active": active_key_id(loaded["config"]) == key.id,
        }
        return render_page(request, "keys/rotate.html", context, partial="rotate-form")
    key = client.get_provider_key(key_id)
    form = RotateForm(request.POST, key=key, environment=environment)
    if form.is_valid() and accepted_by_provider(environment, form):
        rotated = stored(request, environment, form)
        if rotated:
            say_how_the_check_after_went(request, environment, key, rotated)
            return go_to(request, reverse("key-detail", args=[environment, key.id]))
    context = {"form": form, "key": key}
    return render_page(request, "keys/rotate.html", context, partial="rotate-form")


def accepted_by_provider(environment: PostHogEnvironment, form: RotateForm) -> bool:
    """Step 1: whether the provider accepts the new secret with the key's own endpoint; if not,
    why goes on the form. Nothing is written either way."""
    key = form.key
    if not form.checked_first:
        return True  # PostHog's check would ignore this key's endpoint: step 2 checks it instead
    try:
        result = get_client(environment).check_provider_key(
            provider=key.provider, api_key=form.cleaned_data["api_key"], **stored_endpoint(key)
        )
    except PostHogError as error:
        form.add_error(None, "Nothing was changed: the portal could not check the new key.")
        add_to_form(form, error)
        return False
    if result.is_valid:
        return True
    message = result.error_message or "The provider rejected this key."
    if result.error_field in ENDPOINT_LABELS:
        form.add_error(
            None,
            f"Nothing was changed: the provider refused this key's "
            f"{ENDPOINT_LABELS[result.error_field]}: {message} Correct it under Edit first.",
        )
    else:
        form.add_error(None, "Nothing was changed: the provider did not accept the new key.")
        form.add_error("api_key", message)
    return False


def stored_endpoint(key: ProviderKey) -> dict[str, str]:
    """The endpoint fields the key is checked with: the ones it has stored (never retyped)."""
    shown = {
        "azure_endpoint": key.azure_endpoint_display,
        "api_version": key.api_version_display,
        "base_url": key.base_url_display,
    }
    fields = provider_info(key.provider).config_fields
    return {name: value for name, value in shown.items() if name in fields and value}


def stored(request: HtmxHttpRequest, environment: PostHogEnvironment, form: RotateForm):
    """Step 2: the new secret on the same key, audited as a rotation (masked forms only); None,
    with the reason on the form, when PostHog refuses it or does not answer."""
    key, secret = form.key, form.cleaned_data["api_key"]
    try:
        return record_write(
            request,
            environment,
            action="provider_key.rotate",
            target=Target("provider_key", key.id, key.name),
            sent={"old_key": key.api_key_masked},
            call=lambda: get_client(environment).update_provider_key(key.id, {"api_key": secret}),
            learnt=lambda rotated: {"new_key": rotated.api_key_masked},
        )
    except PostHogError as error:
        if error.may_have_applied:
            form.add_error(
                None,
                "PostHog did not answer, so the key may or may not have been rotated: its "
                "masked form on the key's page says which secret it has.",
            )
        else:
            form.add_error(None, "Nothing was changed: PostHog refused the new key.")
        add_to_form(form, error)
        return None


def say_how_the_check_after_went(
    request: HtmxHttpRequest, environment: PostHogEnvironment, old: ProviderKey, new: ProviderKey
) -> None:
    """Step 3: PostHog validates the stored key again; the message tells the rotation and this
    check's outcome (the rotation stands whatever it says)."""
    rotated = f"Key “{new.name}” rotated ({old.api_key_masked} → {new.api_key_masked})"
    try:
        checked = validate(request, environment, new.id, trigger=Trigger.PERSON)
    except PostHogError as error:
        messages.warning(
            request,
            f"{rotated}. PostHog accepted the new key, but checking it again failed: "
            f"{error.message} Validate it from this page in a moment.",
        )
        return
    if checked.is_healthy:
        messages.success(
            request, f"{rotated} and checked again: valid. Everything using it keeps using it."
        )
        return
    reason = checked.error_message or key_state_label(checked.state)
    messages.error(
        request,
        f"{rotated}, but checking it again failed: {reason}. Evaluations using it may stop: "
        "rotate it again with a key that works.",
    )
