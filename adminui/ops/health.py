"""/healthz and /readyz, for load balancers and orchestrators (no login; nothing secret).

/healthz answers from the process alone. /readyz checks what the portal depends on and says,
per part, ``ok`` or ``down`` with a short reason; it answers 503 only when a *required* part is
down. Only the database is required: without it nobody can log in and nothing can be recorded.
Redis down means slower pages (see `adminui.ops.cache`), a stale worker means summaries wait,
and an unreachable PostHog is shown on every page that needs it; none of these is cured by
taking an instance out of the load balancer, so they are reported, not failed. The answer never
names a host, a port or a key: PostHog trouble is given as a kind (``unreachable``, ...).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from adminui.ops.models import WorkerHeartbeat
from adminui.posthog import PostHogClient, PostHogEnvironment, get_client, get_environments
from adminui.posthog import errors as ph

# A worker beats every HEARTBEAT_SECONDS (adminui.ops.worker); three missed beats is "down".
HEARTBEAT_SECONDS = 5.0
WORKER_STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
# Probes arrive every few seconds from each load balancer: ask PostHog at most this often.
POSTHOG_PROBE_TTL = 10.0

type Check = dict[str, object]


def ok(**details: object) -> Check:
    return {"status": "ok", **details}


def down(reason: str) -> Check:
    return {"status": "down", "reason": reason}


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    posthog = check_posthog()
    database, cache_, worker = (_checked(c) for c in (check_database, check_cache, check_worker))
    required_down = database["status"] != "ok"
    degraded = any(part["status"] != "ok" for part in (cache_, worker, *posthog.values()))
    status = "down" if required_down else "degraded" if degraded else "ok"
    checks = {"database": database, "cache": cache_, "worker": worker, "posthog": posthog}
    return JsonResponse(
        {"status": status, "required": ["database"], "checks": checks},
        status=503 if required_down else 200,
    )


def _checked(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except DatabaseError:
        return down("database unavailable")
    except Exception as error:  # a health check reports; it never raises
        return down(type(error).__name__)


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return ok()


def check_cache() -> Check:
    ping = getattr(cache, "ping", None)
    if ping is None:  # local memory: nothing that can be down
        return ok()
    try:
        ping()
    except Exception as error:
        return down(f"redis {type(error).__name__}")
    return ok()


def check_worker() -> Check:
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return ok(reason="tasks run in the web request")
    newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
    last = newest.first()
    if last is None:
        return down("no worker has started")
    age = timezone.now() - last
    if age > WORKER_STALE_AFTER:
        return {**down("no heartbeat"), "last_beat_seconds_ago": round(age.total_seconds())}
    return ok(last_beat_seconds_ago=round(age.total_seconds()))


_probe_lock = threading.Lock()
_probes: dict[PostHogEnvironment, tuple[float, Check]] = {}
_probe_clients: dict[PostHogEnvironment, PostHogClient] = {}


def check_posthog() -> dict[str, Check]:
    """Each environment's PostHog, by slug (the slug is in every portal URL, so not secret)."""
    return {slug: _probe(environment) for slug, environment in get_environments().items()}


def _probe(environment: PostHogEnvironment) -> Check:
    with _probe_lock:
        cached = _probes.get(environment)
    if cached and time.monotonic() - cached[0] < POSTHOG_PROBE_TTL:
        return cached[1]
    try:
        _probe_client(environment).get_evaluation_config()
        result = ok()
    except ph.PostHogError as error:
        result = down(_posthog_reason(error))
    with _probe_lock:
        _probes[environment] = (time.monotonic(), result)
    return result


def _probe_client(environment: PostHogEnvironment) -> PostHogClient:
    """A client of its own with short timeouts and no retries: a probe must answer quickly."""
    with _probe_lock:
        client = _probe_clients.get(environment)
        if client is None:
            client = _probe_clients[environment] = PostHogClient(
                host=environment.host,
                personal_api_key=environment.personal_api_key,
                project_id=environment.project_id,
                # The prefix the portal's own client is on now (auto may have moved it).
                api_prefix=get_client(environment).api_prefix,
                connect_timeout=1.0,
                read_timeout=2.0,
                retries=0,
            )
        return client


_POSTHOG_REASONS: list[tuple[type[ph.PostHogError], str]] = [
    (ph.PostHogUnreachable, "unreachable"),
    (ph.PostHogTimeout, "timeout"),
    (ph.PostHogAuthError, "personal API key refused"),
    (ph.PostHogPermissionError, "personal API key lacks a scope"),
    (ph.PostHogRateLimited, "rate limited"),
    (ph.PostHogServerError, "server error"),
]


def _posthog_reason(error: ph.PostHogError) -> str:
    return next((reason for cls, reason in _POSTHOG_REASONS if isinstance(error, cls)), "error")
