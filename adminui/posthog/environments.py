"""The PostHog environments the portal manages, and one cached client per environment.

The environments come from the environments file named by ``ADMINUI_ENVIRONMENTS_FILE``
(`environment_file`), or else make one environment from the ``POSTHOG_*`` settings, with the slug
it always had ("sandbox", or the slugified name) so old links and stored history keep working.
Both caches are dropped whenever a ``POSTHOG_*`` setting or the file setting changes (tests point
``POSTHOG_HOST`` at the sandbox), and an old client's connections are closed.

With ``POSTHOG_API_PREFIX=auto`` a client follows PostHog from ``/api/environments/`` to
``/api/projects/`` (docs/posthog-contract.md §1.1) and the move is stored (`prefixes`), so
clients built later, in this process or another, start on ``/api/projects/``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.text import slugify

from adminui.posthog.client import PostHogClient
from adminui.posthog.prefixes import (
    forget_unsaved_moves,
    remember_move,
    save_unsaved_moves,
    stored_move,
)
from adminui.posthog.redaction import register_secret

if TYPE_CHECKING:
    from adminui.models import ApiPrefixMove
    from adminui.posthog.environment_file import GlobalSettings

SANDBOX_SLUG = "sandbox"
# POSTHOG_API_PREFIX: follow PostHog (the default), or pin one of the transport's prefixes.
AUTO_PREFIX = "auto"


@dataclass(frozen=True)
class AlertChannels:
    """Where an environment's alerts go when the environments file overrides the global
    ``ALERT_*`` settings; ``None`` in a field means "as configured globally". URLs and the
    webhook secret are secrets: never shown by ``repr``."""

    email_to: tuple[str, ...] | None = None
    slack_webhook_url: str | None = field(default=None, repr=False)
    webhook_url: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PostHogEnvironment:
    """One PostHog project reached with one personal API key (never shown by ``repr``)."""

    slug: str
    name: str
    host: str
    project_id: int
    api_prefix: str  # as configured: auto, environments or projects
    personal_api_key: str = field(repr=False)
    sandbox: bool
    connect_timeout: float
    read_timeout: float
    llm_read_timeout: float
    colour: str = ""  # a CSS colour name from the environments file, e.g. "red" for production
    failover: bool = False  # opt-in: a failing active key is replaced by a healthy one
    alert_channels: AlertChannels = field(default_factory=AlertChannels)

    def posthog_url(self, path: str = "/") -> str:
        """A link into this PostHog's web app, e.g. ``/project/4242/llm-analytics/evaluations``."""
        return f"{self.host}/{path.lstrip('/')}"

    def project_url(self, path: str = "") -> str:
        """A link into this environment's project in PostHog's web app."""
        return self.posthog_url(f"/project/{self.project_id}/{path.lstrip('/')}")

    @property
    def follows_posthog_prefix(self) -> bool:
        return self.api_prefix == AUTO_PREFIX


_lock = threading.RLock()
_environments: dict[str, PostHogEnvironment] | None = None
_clients: dict[PostHogEnvironment, PostHogClient] = {}


def get_environments() -> dict[str, PostHogEnvironment]:
    """All configured environments by slug; the first is the default."""
    global _environments
    with _lock:
        if _environments is None:
            environments = _environments_from_settings()
            for environment in environments:  # the file's loader registers its own secrets
                register_secret(environment.personal_api_key)
            _environments = {environment.slug: environment for environment in environments}
        return dict(_environments)


def get_environment(slug: str | None = None) -> PostHogEnvironment:
    """The environment called ``slug`` (the default one for ``None``); `LookupError` if unknown."""
    environments = get_environments()
    if slug is None:
        return next(iter(environments.values()))
    try:
        return environments[slug]
    except KeyError:
        raise LookupError(f"No PostHog environment is called {slug!r}.") from None


def get_client(environment: PostHogEnvironment | str | None = None) -> PostHogClient:
    """The shared client for an environment (or its slug; ``None`` means the default)."""
    if not isinstance(environment, PostHogEnvironment):
        environment = get_environment(environment)
    save_unsaved_moves()  # a request's thread: see adminui.posthog.prefixes
    with _lock:
        client = _clients.get(environment)
        if client is None:
            client = _clients[environment] = _build_client(environment)
        return client


def clear_caches() -> None:
    """Forget environments and clients (closing their connection pools)."""
    global _environments
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
        _environments = None
    forget_unsaved_moves()
    for client in clients:
        client.close()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("POSTHOG_") or setting == "ADMINUI_ENVIRONMENTS_FILE":
        clear_caches()


def _environments_from_settings() -> list[PostHogEnvironment]:
    path = getattr(settings, "ADMINUI_ENVIRONMENTS_FILE", "")
    if not path:
        return [_environment_from_posthog_settings()]
    # Imported here: the loader builds this module's PostHogEnvironment.
    from adminui.posthog.environment_file import load_environments_file

    return load_environments_file(path, _global_settings())


def _global_settings() -> GlobalSettings:
    """What every environment of the file takes from the settings."""
    from adminui.posthog.environment_file import GlobalSettings

    sandbox = bool(getattr(settings, "POSTHOG_SANDBOX", False))
    return GlobalSettings(
        api_prefix=getattr(settings, "POSTHOG_API_PREFIX", AUTO_PREFIX),
        connect_timeout=float(getattr(settings, "POSTHOG_CONNECT_TIMEOUT", 3.05)),
        read_timeout=float(getattr(settings, "POSTHOG_READ_TIMEOUT", 15.0)),
        llm_read_timeout=float(getattr(settings, "POSTHOG_LLM_READ_TIMEOUT", 90.0)),
        sandbox_url=str(settings.POSTHOG_HOST) if sandbox else "",
    )


def _environment_from_posthog_settings() -> PostHogEnvironment:
    sandbox = bool(getattr(settings, "POSTHOG_SANDBOX", False))
    name = getattr(settings, "POSTHOG_ENVIRONMENT_NAME", "") or "PostHog"
    defaults = _global_settings()
    return PostHogEnvironment(
        # URLs take [a-z0-9-]: slugify keeps "_", so turn it into "-" too.
        slug=SANDBOX_SLUG if sandbox else (slugify(name).replace("_", "-") or "default"),
        name=name,
        host=str(settings.POSTHOG_HOST).rstrip("/"),
        project_id=int(settings.POSTHOG_PROJECT_ID),
        api_prefix=defaults.api_prefix,
        personal_api_key=settings.POSTHOG_PERSONAL_API_KEY,
        sandbox=sandbox,
        connect_timeout=defaults.connect_timeout,
        read_timeout=defaults.read_timeout,
        llm_read_timeout=defaults.llm_read_timeout,
    )


def prefix_move(environment: PostHogEnvironment) -> ApiPrefixMove | None:
    """The stored move of a following environment to PostHog's successor prefix, if any."""
    return stored_move(environment) if environment.follows_posthog_prefix else None


def _build_client(environment: PostHogEnvironment) -> PostHogClient:
    """Optional ``POSTHOG_RETRIES``/``POSTHOG_RETRY_BACKOFF`` settings let tests skip waits."""
    api_prefix = environment.api_prefix
    on_prefix_move: Callable[[str, str], None] | None = None
    if environment.follows_posthog_prefix:
        move = stored_move(environment)
        api_prefix = move.prefix if move else "environments"
        on_prefix_move = partial(remember_move, environment)
    return PostHogClient(
        host=environment.host,
        personal_api_key=environment.personal_api_key,
        project_id=environment.project_id,
        api_prefix=api_prefix,
        on_prefix_move=on_prefix_move,
        connect_timeout=environment.connect_timeout,
        read_timeout=environment.read_timeout,
        llm_read_timeout=environment.llm_read_timeout,
        retries=int(getattr(settings, "POSTHOG_RETRIES", 2)),
        backoff=float(getattr(settings, "POSTHOG_RETRY_BACKOFF", 0.5)),
    )
