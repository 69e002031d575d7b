"""The Overview: the health of keys, evaluations and integrations of one environment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from adminui.concurrency import gather
from adminui.models import AuditEvent
from adminui.posthog import PostHogEnvironment, get_client, get_environments
from adminui.posthog.resources import ProviderKey
from adminui.roles import Role, role_required

KEY_STATES = ["ok", "invalid", "error", "unknown"]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    first = next(iter(get_environments().values()))
    return redirect("overview", environment=first)


def keys_needing_attention(keys: list[ProviderKey]) -> list[ProviderKey]:
    too_old = timezone.now() - timedelta(days=settings.KEY_ROTATION_DAYS)
    return [
        key
        for key in keys
        if key.state in ("invalid", "error") or (key.created_at and key.created_at < too_old)
    ]


@require_GET
@role_required(Role.VIEWER)
def overview(request: HttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    client = get_client(environment)
    cards = gather(
        {
            "keys": client.list_provider_keys,
            "config": client.get_evaluation_config,
            "integrations": client.list_integrations,
        }
    )
    keys = cards["keys"].value or []
    context = {
        "cards": cards,
        "key_counts": [(state, sum(k.state == state for k in keys)) for state in KEY_STATES],
        "attention": keys_needing_attention(keys),
        "reconnect": [i for i in cards["integrations"].value or [] if i.needs_reconnecting],
        "recent_events": AuditEvent.objects.filter(environment=environment.slug)[:8],
    }
    return render(request, "overview/overview.html", context)
