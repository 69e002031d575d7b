"""LLM provider keys: /<environment>/keys/ and everything under it.

Reads are open to every role; writes need the Editor role and go through the audit helper.
Write views answer htmx with 204 plus events (the key region refreshes itself on
`dataChanged`), and plain forms with a redirect (POST, act, redirect).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from adminui.audit.creators import added_through_portal
from adminui.audit.service import Target, record_form_write, record_write
from adminui.keys.afterwards import deleted_message, same_name_keys
from adminui.keys.forms import KeyCheckForm, ProviderKeyCreateForm, ProviderKeyEditForm
from adminui.keys.history import Trigger, record_state, record_states, timeline
from adminui.keys.inventory import (
    CHANGED_WITHIN,
    EXPORT_FIELDS,
    KEY_COLUMNS,
    LIST_PARAMS,
    KeyInventory,
    active_key_id,
    export_row,
    filter_keys,
    key_inventory,
    key_ordering,
)
from adminui.keys.namesakes import alternative_choices
from adminui.keys.providers import KEY_STATE_LABELS, PROVIDERS, key_state_label, provider_info
from adminui.keys.rotation import is_due_for_rotation, last_rotations
from adminui.keys.rows import key_rows
from adminui.keys.tasks import queue_bulk_validation, rows_of
from adminui.models import AuditEvent, BulkValidation
from adminui.posthog import PostHogEnvironment, PostHogError, get_client
from adminui.posthog.keys import ProviderKey
from adminui.web.concurrency import gather
from adminui.web.errors import add_to_form, render_list_failure
from adminui.web.failures import hint_for
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.listing import PAGE_SIZES, page_size_from, paginate
from adminui.web.regions import copied_region
from adminui.web.responses import csv_download, go_to, json_download
from adminui.web.roles import Role, role_in, role_required
from adminui.web.toasts import messages_only


def list_url(environment: PostHogEnvironment, request: HtmxHttpRequest) -> str:
    """Where to go back to after a write: the list with its filters, from a safe `next`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("key-list", args=[environment])


def done(
    request: HtmxHttpRequest, environment: PostHogEnvironment, text: str, level=messages.SUCCESS
):
    """Finish a write with a message: htmx shows it as a toast and refreshes, a form redirects."""
    messages.add_message(request, level, text)
    if request.htmx:
        return trigger_client_event(messages_only(), "dataChanged")
    return redirect(list_url(environment, request))


@require_GET
@role_required(Role.VIEWER)
def key_list(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    frame = {
        "providers": PROVIDERS,
        "states": KEY_STATE_LABELS,
        "changed_choices": CHANGED_WITHIN,
        "page_sizes": PAGE_SIZES,
        "per_page": page_size_from(request.GET),
        "ordering": key_ordering(request.GET),
    }
    try:
        inventory = key_inventory(environment, request.GET)
    except PostHogError as error:
        return render_list_failure(request, "keys/list.html", error, frame)
    if inventory.keys_fresh:  # a list's copy was recorded when it was fetched
        record_states(environment, inventory.keys, trigger=Trigger.LISTING)
    vary: tuple[Hashable, ...] = (role_in(request.user, environment),)
    if request.GET.get("changed"):
        # That filter reads the key history, which sweeps write without a portal write.
        vary += tuple(key.id for key in inventory.shown)

    def drawn(partial: str) -> SafeString:
        return copied_region(
            request,
            f"keys/list.html#{partial}",
            inventory.copied,
            lambda: frame | key_region_context(environment, inventory, request.GET),
            reads=LIST_PARAMS,
            vary=vary,
        )

    if request.htmx:
        return HttpResponse(drawn("key-region"))
    return render(request, "keys/list.html", {"key_page": drawn("key-page")})


def key_region_context(
    environment: PostHogEnvironment, inventory: KeyInventory, params
) -> dict[str, Any]:
    """What the list's region draws: a page of rows, with what the portal's audit log adds."""
    keys = inventory.keys
    page_obj = paginate(inventory.shown, params)
    rotated = last_rotations(environment, [key.id for key in keys])
    added_by = added_through_portal(environment, [key.id for key in page_obj])
    return {
        "page_obj": page_obj,
        "rows": key_rows(page_obj.object_list, inventory.active_id, added_by, rotated),
        "total": len(keys),
        "skipped": keys.skipped,
        "config": inventory.config,
        "active_id": inventory.active_id,
        "ordering": inventory.ordering,
        "columns": KEY_COLUMNS,
        "due_for_rotation": [k for k in keys if is_due_for_rotation(k, rotated.get(k.id))],
    }


@require_GET
@role_required(Role.VIEWER)
def key_export(request: HtmxHttpRequest, environment: PostHogEnvironment, fmt: str) -> HttpResponse:
    """The key inventory as CSV or JSON: metadata only (masked keys), with the list's filters."""
    inventory = key_inventory(environment, request.GET)
    rows = [export_row(key, inventory.active_id) for key in inventory.shown]
    filename = f"adminui-{environment.slug}-provider-keys.{fmt}"
    if fmt == "json":
        return json_download({"keys": rows}, filename)
    return csv_download(rows, EXPORT_FIELDS, filename)


@require_GET
@role_required(Role.VIEWER)
def key_detail(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    client = get_client(environment)
    # The key with everything else at once (one round trip); a key that is gone answers 404.
    loaded = gather(
        {
            "key": lambda: client.get_provider_key(key_id),
            "dependents": lambda: client.get_dependent_configs(key_id),
            "models": lambda: client.list_models(key_id=key_id),
            "config": client.get_evaluation_config,
        }
    )
    if loaded["key"].error:
        raise loaded["key"].error
    key = loaded["key"].value
    record_state(environment, key, trigger=Trigger.LISTING)
    context = {
        "key": key,
        "timeline": timeline(environment, key.id),
        "loaded": loaded,
        "active_id": active_key_id(loaded["config"]),
        "back_url": reverse("key-list", args=[environment]),
        "due_for_rotation": is_due_for_rotation(
            key, last_rotations(environment, [key.id]).get(key.id)
        ),
        "added_by": added_through_portal(environment, [key.id]).get(key.id),
        "alternatives": alternative_choices(environment, key, loaded["dependents"]),
        "history": AuditEvent.objects.filter(
            environment=environment.slug, target_type="provider_key", target_id=key.id
        )[:50],
    }
    return render(request, "keys/detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
@sensitive_post_parameters("api_key")
def key_add(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    client = get_client(environment)
    if request.method == "GET":
        # Like PostHog: the first key runs evaluations unless told otherwise. If the config
        # cannot be read, the box stays unchecked rather than guessing.
        config = gather({"config": client.get_evaluation_config})["config"]
        no_active_key = config.ok and config.value.active_provider_key is None
        form = ProviderKeyCreateForm(
            initial={"set_as_active": no_active_key}, environment=environment
        )
        return render(request, "keys/add.html", {"form": form})
    form = ProviderKeyCreateForm(request.POST, environment=environment)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        sent = form.payload()
        try:
            key = record_write(
                request,
                environment,
                action="provider_key.create",
                target=Target("provider_key", label=sent["name"]),
                sent=sent,
                call=lambda: client.create_provider_key(**sent),
            )
        except PostHogError as error:
            if error.may_have_applied:
                # Trying again blindly could add the key twice: look first, and say.
                context["unanswered"] = look_for_created_key(environment, sent["name"], error)
            else:
                add_to_form(form, error)
        else:
            messages.success(request, f"Key “{key.name}” added. PostHog checked it: valid.")
            if namesakes := same_name_keys(environment, key):
                # PostHog allows two keys of one name, which lists then cannot tell apart.
                messages.warning(
                    request,
                    f"Another key is already called “{key.name}” ({namesakes}): "
                    "rename one so lists and pickers tell them apart.",
                )
            return go_to(request, reverse("key-detail", args=[environment, key.id]))
    return render_page(request, "keys/add.html", context, partial="key-form")


# How far back a key created by a create that got no answer is looked for.
UNANSWERED_CREATE_WINDOW = timedelta(minutes=5)


def look_for_created_key(
    environment: PostHogEnvironment, name: str, error: PostHogError
) -> dict[str, Any]:
    """After a create PostHog did not answer: the keys with its name made in the last minutes
    (probably by it), or why the portal could not look."""
    since = timezone.now() - UNANSWERED_CREATE_WINDOW
    try:
        keys = get_client(environment).list_provider_keys()
    except PostHogError as lookup_error:
        return {"name": name, "error": error, "lookup_error": lookup_error}
    found = [
        key
        for key in keys
        if key.name == name and key.created_at is not None and key.created_at >= since
    ]
    return {"name": name, "error": error, "found": found}


@require_POST
@role_required(Role.EDITOR)
@sensitive_post_parameters("api_key")
def key_check(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    """Pre-validate a typed key (on blur): the result shows under the right field."""
    form = KeyCheckForm(request.POST)
    result, error, unchecked = None, None, ""
    if form.is_valid() and not form.chosen_provider().checked_before_saving:
        # PostHog's check would ignore the endpoint typed here: saving checks it instead.
        unchecked = form.chosen_provider().label
    elif form.is_valid():
        try:
            result = get_client(environment).check_provider_key(**form.check_fields())
        except PostHogError as failure:
            error = failure
    context = {
        "form": form,
        "result": result,
        "error": error,
        "hint": hint_for(error) if error else "",
        "unchecked": unchecked,
    }
    return render(request, "keys/add.html#key-check", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
@sensitive_post_parameters("api_key")
def key_edit(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    client = get_client(environment)
    if request.method == "GET":
        key = client.get_provider_key(key_id)
        form = ProviderKeyEditForm(key=key, environment=environment)
        context = {"form": form, "key": key, "provider": provider_info(key.provider)}
        return render_page(request, "keys/edit.html", context, partial="key-form")
    try:
        # The current values tell what changed: only that is sent.
        key = client.get_provider_key(key_id)
    except PostHogError as error:
        return edit_form_kept(request, environment, key_id, error)
    form = ProviderKeyEditForm(request.POST, key=key, environment=environment)
    if form.is_valid():
        changes, without_credential = form.changes(), form.clears_credential()
        if not changes and not without_credential:
            messages.info(request, "Nothing changed.")
            return go_to(request, reverse("key-detail", args=[environment, key.id]))
        updated = record_form_write(
            form,
            request,
            environment,
            action="provider_key.update",
            target=Target("provider_key", key.id, key.name),
            sent=changes | ({"without_credential": True} if without_credential else {}),
            call=lambda: client.update_provider_key(
                key.id, changes, without_credential=without_credential
            ),
        )
        if updated:
            messages.success(request, f"Key “{updated.name}” saved.")
            return go_to(request, reverse("key-detail", args=[environment, key.id]))
    context = {"form": form, "key": key, "provider": provider_info(key.provider)}
    return render_page(request, "keys/edit.html", context, partial="key-form")


def edit_form_kept(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str, error: PostHogError
) -> HttpResponse:
    """The submitted edit form, values kept (the secret aside), when the key could not be read
    first: nothing was sent, and saving again once PostHog answers works."""
    post = request.POST
    provider = post.get("provider", "")
    as_typed = ProviderKey(
        id=key_id,
        provider=provider if provider in PROVIDERS else "",
        name=post.get("name", ""),
        state="unknown",
        error_message=None,
        api_key_masked="····",
        azure_endpoint_display=post.get("azure_endpoint") or None,
        api_version_display=post.get("api_version") or None,
        base_url_display=post.get("base_url") or None,
        system_one_model_display=post.get("system_one_model") or None,
        created_at=None,
        created_by=None,
        last_used_at=None,
    )
    form = ProviderKeyEditForm(post, key=as_typed, environment=environment)
    form.is_valid()  # field errors show too, so the next save can succeed
    form.add_error(None, "Nothing was saved: the portal could not read the key from PostHog.")
    add_to_form(form, error)
    context = {"form": form, "key": as_typed, "provider": provider_info(as_typed.provider)}
    return render_page(request, "keys/edit.html", context, partial="key-form")


@require_POST
@role_required(Role.EDITOR)
def key_validate(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    if request.GET.get("as") == "row":
        # One row of a bulk validation: its outcome, a failure included, stays in its row.
        outcome = checked_or_error(request, environment, key_id, request.GET.get("name", ""))
        row = render(request, "keys/bulk_validate.html#outcome", outcome)
        return trigger_client_event(row, "dataChanged")
    key = validate(request, environment, key_id, trigger=Trigger.PERSON)
    if key.is_healthy:
        return done(request, environment, f"Key “{key.name}” validated: valid.")
    return done(
        request,
        environment,
        f"Key “{key.name}” validation failed: {key.error_message or key_state_label(key.state)}.",
        level=messages.ERROR,
    )


def validate(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str, *, trigger: str
) -> ProviderKey:
    """Validate a key for a person (audited), and record its state if it changed."""
    key = record_write(
        request,
        environment,
        action="provider_key.validate",
        target=Target("provider_key", key_id),
        sent=None,
        call=lambda: get_client(environment).validate_provider_key(key_id),
    )
    record_state(environment, key, trigger=trigger, actor=request.user)
    return key


@require_POST
@role_required(Role.EDITOR)
def key_bulk_validate(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    """Validate the selected keys, or every key the list's filters show. htmx checks each row
    in parallel as it appears; without JavaScript a background task checks them one by one and
    the browser goes to its progress page."""
    keys = filter_keys(get_client(environment).list_provider_keys(), request.POST, environment)
    selected = set(request.POST.getlist("key"))
    if selected:
        keys = [key for key in keys if key.id in selected]
    if not request.htmx:
        run = queue_bulk_validation(request.user, environment, keys)
        progress = reverse("key-bulk-validation", args=[environment, run.pk])
        return redirect(f"{progress}?{urlencode({'next': list_url(environment, request)})}")
    context = {"keys": keys, "checked": False, "next": list_url(environment, request)}
    return render_page(request, "keys/bulk_validate.html", context, partial="bulk-progress")


@require_GET
@role_required(Role.EDITOR)
def key_bulk_validation(
    request: HtmxHttpRequest, environment: PostHogEnvironment, run_id: int
) -> HttpResponse:
    """A background bulk validation's progress; it refreshes itself until every key is checked
    (htmx polls the region, and without JavaScript the page reloads)."""
    run = get_object_or_404(BulkValidation, pk=run_id, environment=environment.slug)
    context = {
        "run": run,
        "keys": rows_of(run),
        "checked": True,
        "polling": not run.is_finished,
        "progress_url": request.get_full_path(),
        "next": list_url(environment, request),
    }
    return render_page(request, "keys/bulk_validate.html", context, partial="bulk-progress")


def checked_or_error(request, environment, key_id: str, name: str) -> dict:
    """A validation's outcome for the bulk list: the key as PostHog now sees it, or the error."""
    try:
        key = validate(request, environment, key_id, trigger=Trigger.BULK)
        return {"key": key, "name": key.name}
    except PostHogError as error:
        return {"name": name or key_id, "error": error}


@require_POST
@role_required(Role.EDITOR)
def key_activate(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    client = get_client(environment)
    key = client.get_provider_key(key_id)
    record_write(
        request,
        environment,
        action="evaluation_config.set_active_key",
        target=Target("provider_key", key.id, key.name),
        sent={"key_id": key.id},
        call=lambda: client.set_active_key(key.id),
    )
    return done(request, environment, f"“{key.name}” now runs this project's evaluations.")


@require_http_methods(["GET", "POST"])
@role_required(Role.EDITOR)
def key_delete(
    request: HtmxHttpRequest, environment: PostHogEnvironment, key_id: str
) -> HttpResponse:
    client = get_client(environment)
    key = client.get_provider_key(key_id)
    if request.method == "POST":
        replacement = request.POST.get("replacement_key_id") or None
        record_write(
            request,
            environment,
            action="provider_key.delete",
            target=Target("provider_key", key.id, key.name),
            sent={"replacement_key_id": replacement},
            call=lambda: client.delete_provider_key(key.id, replacement_key_id=replacement),
        )
        messages.success(request, deleted_message(environment, key, request.POST))
        return go_to(request, list_url(environment, request))
    # Deleting must stay possible when PostHog cannot say what uses the key: the page says so.
    loaded = gather(
        {
            "dependents": lambda: client.get_dependent_configs(key.id),
            "config": client.get_evaluation_config,
        }
    )
    context = {
        "key": key,
        "dependents": loaded["dependents"],
        "alternatives": alternative_choices(environment, key, loaded["dependents"]),
        # Deleting the active key re-points or clears it (PostHog, §2.6): the page says which.
        "is_active": active_key_id(loaded["config"]) == key.id,
        "next": list_url(environment, request),
    }
    return render_page(request, "keys/delete.html", context, partial="delete-dialog")


@require_GET
@role_required(Role.VIEWER)
def model_list(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    """The models PostHog lists for a provider, or for one key (live from the provider)."""
    client = get_client(environment)
    provider, key_id = request.GET.get("provider") or None, request.GET.get("key") or None
    # A key implies its provider; sending both invites PostHog's "belongs to provider" 400.
    catalog_query = {"key_id": key_id} if key_id else {"provider": provider}
    loaded = gather(
        {
            "catalog": lambda: client.list_models(**catalog_query),
            "keys": client.list_provider_keys,
        }
    )
    context = {
        "loaded": loaded,
        "providers": PROVIDERS,
        "provider": provider or "",
        "key_id": key_id or "",
        # A key the provider refuses lists no models: the page says why, with PostHog's words.
        "chosen_key": next((key for key in loaded["keys"].value if key.id == key_id), None)
        if key_id and loaded["keys"].ok
        else None,
        "filter": request.GET.get("q", ""),
    }
    return render_page(request, "keys/models.html", context, partial="model-results")
