"""The sandbox's in-memory PostHog projects: records, their JSON shapes, switches and one lock.

Each project is a `SandboxState`; the server's projects share their users, API keys, switches,
throttle history and lock, and keep their own keys, evaluations, integrations and summaries.

Every API handler runs while holding `SandboxState.lock`, so handlers read and write freely.
Handlers that simulate slow work (live key validation, summaries) step out of it with
`released()` so one slow request never blocks the others. Handlers read how to behave from
`SandboxState.switches`, so they depend on the state alone, never on the HTTP server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """Format a datetime the way DRF does: ISO 8601 with a trailing Z."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def mask(api_key: str) -> str:
    """`api_key_masked` as PostHog's `mask_key_value` (posthog/models/utils.py) writes it: a key
    under 16 characters is all stars, a longer one keeps its first 4 and last 4."""
    return "********" if len(api_key) < 16 else f"{api_key[:4]}...{api_key[-4:]}"


SWITCH_CHOICES = {"environments_alias": ("deprecated", "plain", "gone")}
RATE = re.compile(r"\d+/[smhd][a-z]*")  # DRF's rate syntax


@dataclass
class Switches:
    """How the sandbox behaves; the server module's docstring describes each switch."""

    legacy_integration_access: bool = False  # older PostHog: every integration action for keys
    # Who may use the provider-key endpoints: "" (newest PostHog, a key with the right scopes),
    # "personal_key", "project_admin" or "evaluation_editor" (resources/provider_keys.py).
    provider_key_refusal: str = ""
    legacy_key_updates: bool = False  # updates as before PostHog locked a key's provider
    trial_era: bool = False
    legacy_models_shape: bool = False
    ai_data_processing_approved: bool = True
    summary_delay: float = 2.0  # seconds a summary takes
    latency: float = 0.0  # seconds added to every API request
    validation_delay: float = 0.2  # a provider round trip; tests make it smaller
    environments_alias: str = "deprecated"  # or "plain" (older PostHog), "gone" (404)
    throttles: bool = True  # PostHog's rate limits (sandbox/throttles.py)
    throttle_rates: dict[str, str] = field(default_factory=dict)  # {"burst": "3/minute"}

    def change(self, **switches: Any) -> None:
        """Set some switches, coerced to their type (JSON may send 1 for True, 2 for 2.0)."""
        unknown = set(switches) - {switch.name for switch in fields(self)}
        if unknown:
            raise ValueError(f"Unknown switches: {', '.join(sorted(unknown))}")
        for name, value in switches.items():
            value = type(getattr(self, name))(value)
            if name in SWITCH_CHOICES and value not in SWITCH_CHOICES[name]:
                raise ValueError(f"{name} must be one of {', '.join(SWITCH_CHOICES[name])}")
            if name == "throttle_rates" and not all(map(RATE.fullmatch, value.values())):
                raise ValueError("throttle_rates takes rates like 480/minute or 50/m")
            setattr(self, name, value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class User:
    id: int
    uuid: str
    first_name: str
    last_name: str
    email: str
    role: str

    def to_json(self) -> dict[str, Any]:
        """PostHog's UserBasic."""
        return {
            "id": self.id,
            "uuid": self.uuid,
            "distinct_id": self.uuid.replace("-", "")[:24],
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "is_email_verified": True,
            "hedgehog_config": None,
            "role_at_organization": self.role,
        }


@dataclass(frozen=True)
class ApiKey:
    value: str
    scopes: tuple[str, ...]
    project_ids: tuple[int, ...] | None = None
    owner: User | None = None  # the PostHog user behind the key; None: the first demo user

    def grants(self, scope: str) -> bool:
        """`*` grants everything, and a `:write` scope also satisfies `:read`."""
        resource, _, level = scope.partition(":")
        granted = set(self.scopes)
        return bool({"*", scope} & granted) or (level == "read" and f"{resource}:write" in granted)


@dataclass
class ProviderKey:
    id: str
    provider: str
    name: str
    api_key: str
    state: str
    error_message: str | None
    created_at: datetime
    created_by: User | None
    last_used_at: datetime | None = None
    azure_endpoint: str | None = None
    api_version: str | None = None
    base_url: str | None = None  # openai_compatible and typesafe (System One)
    system_one_model: str | None = None  # typesafe

    def to_json(self) -> dict[str, Any]:
        is_azure = self.provider == "azure_openai"
        has_base_url = self.provider in ("openai_compatible", "typesafe")
        return {
            "id": self.id,
            "provider": self.provider,
            "name": self.name,
            "state": self.state,
            "error_message": self.error_message,
            "api_key_masked": mask(self.api_key),
            "azure_endpoint_display": self.azure_endpoint if is_azure else None,
            "api_version_display": self.api_version if is_azure else None,
            "base_url_display": self.base_url if has_base_url else None,
            "system_one_model_display": (
                self.system_one_model if self.provider == "typesafe" else None
            ),
            "created_at": iso(self.created_at),
            "created_by": self.created_by.to_json() if self.created_by else None,
            "last_used_at": iso(self.last_used_at),
        }


@dataclass
class ModelConfiguration:
    id: str
    provider: str
    model: str
    provider_key_id: str | None


@dataclass(frozen=True)
class Pattern:
    """A kind of judge reasoning, used to draw demo runs and to summarise them."""

    outcome: str  # pass, fail or na
    title: str
    description: str
    reasonings: tuple[str, ...]
    recommendation: str = ""


@dataclass(frozen=True)
class EvaluationRun:
    generation_id: str
    timestamp: datetime
    result: bool | None  # None: not applicable (N/A), or an output that is not pass/fail
    reasoning: str
    pattern: str
    # A sentiment, score or category: set by evaluations whose output is not boolean, which
    # emit no `$ai_evaluation_result` and no `$ai_evaluation_applicable`.
    label: str | None = None

    @property
    def outcome(self) -> str:
        return "na" if self.result is None else ("pass" if self.result else "fail")

    @property
    def not_applicable(self) -> bool:
        """`$ai_evaluation_applicable = false`: a boolean judge's N/A."""
        return self.result is None and self.label is None


@dataclass
class Evaluation:
    id: str
    name: str
    description: str
    prompt: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    created_by: User | None
    model_configuration: ModelConfiguration | None
    patterns: dict[str, Pattern]
    runs: list[EvaluationRun]  # newest first
    status: str  # active, paused, or error (stopped by PostHog, see status_reason)
    status_reason: str | None = None
    deleted: bool = False
    evaluation_type: str = "llm_judge"  # llm_judge, hog or sentiment
    output_type: str = "boolean"  # boolean, sentiment, numeric or categorical
    output_config: dict[str, Any] = field(default_factory=lambda: {"allows_na": True})
    target: str = "generation"  # generation, trace or session
    target_config: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # a Hog evaluation's code

    @property
    def evaluation_config(self) -> dict[str, Any]:
        if self.evaluation_type == "hog":
            return {"source": self.source, "bytecode": []}
        if self.evaluation_type == "sentiment":
            return {"source": "user_messages"}
        return {"prompt": self.prompt}

    def to_json(self, keys: dict[str, ProviderKey]) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "directory_id": None,
            "enabled": self.enabled,
            "status": self.status,
            "status_reason": self.status_reason,
            "status_reason_detail": None,
            "evaluation_type": self.evaluation_type,
            "evaluation_config": self.evaluation_config,
            "output_type": self.output_type,
            "output_config": self.output_config,
            "conditions": [
                {"id": f"{self.id[:8]}-all", "rollout_percentage": 100, "properties": []}
            ],
            "target": self.target,
            "target_config": self.target_config,
            "model_configuration": _model_configuration_json(self.model_configuration, keys),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "created_by": self.created_by.to_json() if self.created_by else None,
            "deleted": self.deleted,
            "user_access_level": "editor",
        }


def _model_configuration_json(
    config: ModelConfiguration | None, keys: dict[str, ProviderKey]
) -> dict[str, Any] | None:
    if config is None:
        return None
    key = keys.get(config.provider_key_id or "")
    return {
        "provider": config.provider,
        "model": config.model,
        "provider_key_id": config.provider_key_id,
        "provider_key_name": key.name if key else None,
    }


# Where PostHog finds an integration's display name in its config, per kind.
DISPLAY_NAME_PATHS = {
    "github": ("account", "name"),
    "slack": ("team", "name"),
    "jira": ("site_name",),
    "linear": ("workspace", "name"),
    "google-ads": ("email",),
    "linkedin-ads": ("email",),
    "hubspot": ("hub_domain",),
}


@dataclass
class Integration:
    id: int
    kind: str
    integration_id: str  # the provider-side id (Slack team, GitHub installation, ...)
    config: dict[str, Any]
    created_at: datetime
    created_by: User | None
    resources: dict[str, Any] = field(default_factory=dict)  # what the provider would list
    errors: str = ""

    @property
    def display_name(self) -> str:
        path = DISPLAY_NAME_PATHS.get(self.kind)
        if path is None:
            return f"ID: {self.integration_id}"
        value: Any = self.config
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return str(value) if value else self.integration_id

    def to_json(self) -> dict[str, Any]:
        is_github = self.kind == "github"
        return {
            "id": self.id,
            "kind": self.kind,
            "config": self.config,
            "created_at": iso(self.created_at),
            "created_by": self.created_by.to_json() if self.created_by else None,
            "errors": self.errors,
            "display_name": self.display_name,
            "files_write_requestable": self.kind == "slack",
            "installation_shared": False if is_github else None,
            "installation_status": "connected" if is_github else None,
        }


@dataclass
class SandboxState:
    users: list[User]
    api_keys: dict[str, ApiKey]
    provider_keys: dict[str, ProviderKey]
    evaluations: dict[str, Evaluation]
    integrations: dict[int, Integration]
    active_key_id: str | None
    config_created_at: datetime
    config_updated_at: datetime
    summary_cache: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    throttle_history: dict[str, list[float]] = field(default_factory=dict)
    summaries_running: set[int] = field(default_factory=set)
    # key id -> (state, error_message) the provider answers when the key is validated next
    # (resources/provider_answers.py); absent: the magic words in the key decide.
    provider_answers: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    switches: Switches = field(default_factory=Switches)
    lock: threading.Lock = field(default_factory=threading.Lock)
    project_id: int = 0
    project_name: str = ""

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let other requests in while this one waits (the caller holds `lock`)."""
        self.lock.release()
        try:
            yield
        finally:
            self.lock.acquire()

    def model_configurations(self) -> list[ModelConfiguration]:
        return [
            evaluation.model_configuration
            for evaluation in self.evaluations.values()
            if evaluation.model_configuration is not None
        ]
