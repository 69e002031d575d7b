"""The Alerts screens: one environment's (/<env>/alerts/) and every visible one's (/alerts/).

Every role reads alerts; Editors and Admins acknowledge them (as they act on keys); only Admins
send a test notification, since it writes to the team's channels.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from adminui.alerts.forms import AlertFilterForm, status_tabs
from adminui.alerts.models import Alert, AlertNotification
from adminui.alerts.service import acknowledge, open_alert_count
from adminui.alerts.trial import send_test_notification
from adminui.posthog import PostHogEnvironment
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.roles import Role, may_act, role_in, role_required, visible_environments
from adminui.web.toasts import messages_only

PAGE_SIZE = 50
UNDELIVERED_SHOWN_FOR = timedelta(days=7)


@require_GET
@role_required(Role.VIEWER)
def alert_list(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    return alerts_page(request, [environment], environment=environment)


@require_GET
@role_required(Role.VIEWER)
def alerts_across(request: HtmxHttpRequest) -> HttpResponse:
    return alerts_page(request, visible_environments(request.user), environment=None)


def alerts_page(
    request: HtmxHttpRequest,
    environments: list[PostHogEnvironment],
    *,
    environment: PostHogEnvironment | None,
) -> HttpResponse:
    form = AlertFilterForm(request.GET, environments, across=environment is None)
    page = Paginator(form.alerts(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "tabs": status_tabs(form),
        "current_status": form.chosen_status,
        "across": environment is None,
        "list_url": reverse("alert-list", args=[environment])
        if environment
        else reverse("alerts-across"),
        "names": {env.slug: env.name for env in environments},
        "editable": editable(request, environments),
        "undelivered": undelivered(request, environments),
        **({"environment": environment} if environment else {}),
    }
    return render_page(request, "alerts/list.html", context, partial="alert-table")


def editable(request: HtmxHttpRequest, environments: list[PostHogEnvironment]) -> set[str]:
    """The environments whose alerts this user may acknowledge (the page across environments
    mixes roles, so the layout's ``can_edit`` of one environment does not say)."""
    return {env.slug for env in environments if may_act(request.user, env, Role.EDITOR)}


def undelivered(
    request: HtmxHttpRequest, environments: list[PostHogEnvironment]
) -> list[AlertNotification]:
    """Notifications given up on this past week, for Admins: they configure the channels (a
    test notification's outcome was shown when it was sent)."""
    administered = [env.slug for env in environments if role_in(request.user, env) == Role.ADMIN]
    since = timezone.now() - UNDELIVERED_SHOWN_FOR
    return list(
        AlertNotification.objects.filter(
            environment__in=administered,
            status=AlertNotification.Status.FAILED,
            created_at__gte=since,
        ).exclude(event=AlertNotification.Event.TEST)[:5]
    )


@require_POST
@role_required(Role.EDITOR)
def alert_acknowledge(
    request: HtmxHttpRequest, environment: PostHogEnvironment, alert_id: int
) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=alert_id, environment=environment.slug)
    acknowledged = acknowledge(alert, request.user)
    if request.htmx:
        context = {
            "alert": alert,
            "across": request.POST.get("across") == "1",
            "names": {environment.slug: environment.name},
            "editable": {environment.slug},
            "count": open_alert_count(env.slug for env in visible_environments(request.user)),
        }
        return trigger_client_event(
            render(request, "alerts/_acknowledged.html", context), "dataChanged"
        )
    if acknowledged:
        messages.success(request, f"Acknowledged: {alert.title}.")
    else:
        messages.info(request, f"“{alert.title}” was already {alert.get_status_display().lower()}.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("alert-list", environment=environment)


@require_POST
@role_required(Role.ADMIN)
def alert_test(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    for result in send_test_notification(environment):
        messages.add_message(request, result.level, result.text)
    if request.htmx:
        return messages_only()
    return redirect("alert-list", environment=environment)
