"""The Overview: the health of keys, evaluations and integrations of one environment.

PostHog spreads these over several screens; here they are cards on one page. The PostHog calls
run at the same time (`gather`), so the page costs about one round trip (see `make bench`), and
a failing call breaks only its own card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from adminui.alerts.service import open_alerts_by_environment
from adminui.keys.providers import FAILING_STATES, KEY_STATE_LABELS, key_state_label
from adminui.keys.rotation import is_due_for_rotation, last_rotations, secret_age_in_days
from adminui.models import AuditEvent, SummaryRequest
from adminui.posthog import PostHogEnvironment, get_client, get_environment, prefix_move
from adminui.posthog.keys import ProviderKey
from adminui.web.concurrency import gather
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.roles import Role, role_required, visible_environments

KEY_STATES = ["ok", "invalid", "error", "unknown"]
# The first page of evaluations is enough to count them (PostHog sends the total).
EVALUATION_PAGE = 100


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """All environments side by side when the user may see several, else the one's Overview
    (someone who sees none learns why there)."""
    visible = visible_environments(request.user)
    if len(visible) > 1:
        return redirect("environments")
    return redirect("overview", environment=visible[0] if visible else get_environment())


@dataclass(frozen=True)
class Attention:
    """A key that needs someone to act, and why."""

    key: ProviderKey
    reason: str
    severity: str  # "bad" or "warn", as the tag classes


def keys_needing_attention(
    keys: list[ProviderKey], rotated: dict[str, datetime]
) -> list[Attention]:
    """Invalid and erroring keys first, then keys whose secret is older than the rotation age
    (`rotated`: when the portal last rotated a key)."""
    broken, old = [], []
    for key in keys:
        if key.state in FAILING_STATES:
            reason = (
                f"{key_state_label(key.state)}: {key.error_message or 'PostHog could not use it'}"
            )
            broken.append(Attention(key, reason, "bad" if key.state == "invalid" else "warn"))
        elif is_due_for_rotation(key, rotated.get(key.id)):
            age = secret_age_in_days(key, rotated.get(key.id))
            old.append(Attention(key, f"{age} days old: due for rotation", "warn"))
    return broken + old


@require_GET
@role_required(Role.VIEWER)
def overview(request: HtmxHttpRequest, environment: PostHogEnvironment) -> HttpResponse:
    client = get_client(environment)
    cards = gather(
        {
            "keys": client.list_provider_keys,
            "config": client.get_evaluation_config,
            "integrations": client.list_integrations,
            "evaluations": lambda: client.list_evaluations(limit=EVALUATION_PAGE),
        }
    )
    keys = cards["keys"].value or []
    evaluations = cards["evaluations"].value
    context = {
        "cards": cards,
        "key_counts": [
            (state, KEY_STATE_LABELS[state], sum(k.state == state for k in keys))
            for state in KEY_STATES
        ],
        "attention": keys_needing_attention(
            keys, last_rotations(environment, [k.id for k in keys])
        ),
        "reconnect": [i for i in cards["integrations"].value or [] if i.needs_reconnecting],
        "evaluation_total": (evaluations.count or len(evaluations.results)) if evaluations else 0,
        "evaluations_enabled": sum(e.enabled for e in evaluations.results) if evaluations else 0,
        "evaluations_partial": bool(evaluations and evaluations.has_next),
        "recent_summaries": SummaryRequest.objects.filter(environment=environment.slug)[:5],
        "recent_events": AuditEvent.objects.filter(environment=environment.slug)[:8],
        "alerts": open_alerts_by_environment([environment.slug])[environment.slug],
        # Recorded by the client from the answers above, so it is current.
        "notice": client.deprecation,
        "api_path": client.base_path,
        # auto: whether the portal followed PostHog to /api/projects/, and when (stored).
        "followed_move": environment.follows_posthog_prefix and client.api_prefix == "projects",
        "prefix_move": prefix_move(environment),
        "pinned_to_alias": environment.api_prefix == "environments",
    }
    return render_page(request, "overview/overview.html", context, partial="overview-cards")
