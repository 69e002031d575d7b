"""Typed, read-only views of what PostHog returns, plus the provider tables the UI reuses.

Every result is a frozen dataclass built by ``from_api(data)``. The builders are deliberately
lenient: PostHog may run any of several API generations (docs/posthog-contract.md §0, §4): unknown
fields are ignored (or kept in ``extra``), optional fields default to ``None``, and both shapes of
a response are accepted where two exist. Only a missing identity field (an ``id``) is fatal; the
client turns that ``KeyError`` into `PostHogBadResponse`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------------------------
# Provider table (shared with forms and templates)


@dataclass(frozen=True)
class ProviderInfo:
    """How the UI presents one LLM provider; ``key_prefixes`` mirror PostHog's format checks."""

    slug: str
    label: str
    key_placeholder: str = ""
    key_prefixes: tuple[str, ...] = ()
    needs_azure_fields: bool = False


PROVIDERS: dict[str, ProviderInfo] = {
    p.slug: p
    for p in (
        ProviderInfo("openai", "OpenAI", "sk-...", ("sk-", "sk-proj-")),
        ProviderInfo("anthropic", "Anthropic", "sk-ant-...", ("sk-ant-",)),
        ProviderInfo("gemini", "Google Gemini", "AIza..."),
        ProviderInfo("openrouter", "OpenRouter", "sk-or-..."),
        ProviderInfo("fireworks", "Fireworks", "fw_..."),
        ProviderInfo("azure_openai", "Azure OpenAI", "Azure OpenAI key", needs_azure_fields=True),
        ProviderInfo("together_ai", "Together AI", "Together AI key"),
        ProviderInfo("minimax", "MiniMax", "MiniMax key"),
        ProviderInfo("zeabur", "Zeabur AI Hub", "sk-...", ("sk-",)),
        ProviderInfo("openai_compatible", "OpenAI-compatible", "API key"),
    )
}
# ``google`` was the provider's name for a while (migrations 0016/0017); show it like gemini.
PROVIDER_ALIASES = {"google": "gemini"}
AZURE_DEFAULT_API_VERSION = "2024-10-21"


def provider_info(slug: str) -> ProviderInfo:
    """The table entry for ``slug``; unknown providers get a title-cased label (enum is open)."""
    canonical = PROVIDER_ALIASES.get(slug, slug)
    known = PROVIDERS.get(canonical)
    if known:
        return known
    return ProviderInfo(slug, slug.replace("_", " ").replace("-", " ").title())


def provider_label(slug: str) -> str:
    return provider_info(slug).label


KEY_STATE_LABELS = {"ok": "Valid", "invalid": "Invalid", "error": "Error", "unknown": "Unknown"}

INTEGRATION_KIND_LABELS = {
    "anthropic": "Anthropic",
    "apns": "Apple Push Notifications",
    "aws-redshift": "AWS Redshift",
    "aws-s3": "AWS S3",
    "azure-blob": "Azure Blob Storage",
    "bing-ads": "Bing Ads",
    "clickup": "ClickUp",
    "customerio-app": "Customer.io App",
    "customerio-track": "Customer.io Track",
    "customerio-webhook": "Customer.io Webhook",
    "email": "Email",
    "github": "GitHub",
    "gitlab": "GitLab",
    "google-ads": "Google Ads",
    "google-analytics": "Google Analytics",
    "google-cloud-service-account": "Google Cloud service account",
    "google-cloud-storage": "Google Cloud Storage",
    "google-pubsub": "Google Pub/Sub",
    "google-search-console": "Google Search Console",
    "google-sheets": "Google Sheets",
    "hubspot": "HubSpot",
    "jira": "Jira",
    "linear": "Linear",
    "linkedin-ads": "LinkedIn Ads",
    "meta-ads": "Meta Ads",
    "posthog": "PostHog",
    "postgresql": "PostgreSQL",
    "reddit-ads": "Reddit Ads",
    "s3-compatible": "S3-compatible storage",
    "slack": "Slack",
    "slack-posthog-code": "Slack (PostHog Code)",
    "tiktok-ads": "TikTok Ads",
    "twilio": "Twilio",
    "youtube-analytics": "YouTube Analytics",
}


def integration_kind_label(kind: str) -> str:
    return INTEGRATION_KIND_LABELS.get(kind) or kind.replace("-", " ").replace("_", " ").title()


# --------------------------------------------------------------------------------------------
# Lenient field readers


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` or offset), or ``None`` for anything unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _str(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a list; anything else (``None``, a string) reads as empty."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value if item is not None] if isinstance(value, list) else []


def _build_list[T](factory: Callable[[dict[str, Any]], T], value: Any) -> list[T]:
    return [factory(item) for item in _dicts(value)]


# --------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class Page[T]:
    """One page of a ``limit``/``offset`` envelope (``{count, next, previous, results}``)."""

    results: list[T]
    count: int | None
    limit: int
    offset: int
    next_offset: int | None
    previous_offset: int | None

    @property
    def has_next(self) -> bool:
        return self.next_offset is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_offset is not None

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        factory: Callable[[dict[str, Any]], T],
        *,
        limit: int,
        offset: int,
    ) -> Page[T]:
        results = data["results"]
        if not isinstance(results, list):
            raise TypeError("results is not a list")
        items = [factory(item) for item in _dicts(results)]
        return cls(
            results=items,
            count=_opt_int(data.get("count")),
            limit=limit,
            offset=offset,
            next_offset=_offset_of(data.get("next"), fallback=offset + limit),
            previous_offset=_offset_of(data.get("previous"), fallback=max(0, offset - limit)),
        )


def _offset_of(url: Any, *, fallback: int) -> int | None:
    """The ``offset`` query parameter of a ``next``/``previous`` link; ``None`` when no link."""
    if not isinstance(url, str) or not url:
        return None
    values = parse_qs(urlsplit(url).query).get("offset")
    parsed = _opt_int(values[0]) if values else None
    return parsed if parsed is not None else fallback


# --------------------------------------------------------------------------------------------
# Users and provider keys


@dataclass(frozen=True)
class UserBasic:
    id: int | None
    uuid: str | None
    email: str
    first_name: str
    last_name: str

    @property
    def display_name(self) -> str:
        """What PostHog's own UI shows: the first name, else the email."""
        return self.first_name or self.email

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_opt_int(data.get("id")),
            uuid=_opt_str(data.get("uuid")),
            email=_str(data.get("email")),
            first_name=_str(data.get("first_name")),
            last_name=_str(data.get("last_name")),
        )

    @classmethod
    def maybe(cls, data: Any) -> Self | None:
        return cls.from_api(data) if isinstance(data, dict) else None


@dataclass(frozen=True)
class ProviderKey:
    """An LLM provider key; PostHog never returns the key itself, only ``api_key_masked``."""

    id: str
    provider: str
    name: str
    state: str
    error_message: str | None
    api_key_masked: str
    azure_endpoint_display: str | None
    api_version_display: str | None
    created_at: datetime | None
    created_by: UserBasic | None
    last_used_at: datetime | None

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)

    @property
    def state_label(self) -> str:
        return KEY_STATE_LABELS.get(self.state, self.state.title())

    @property
    def is_healthy(self) -> bool:
        """Only a key in state ``ok`` can be made active (PostHog refuses the others)."""
        return self.state == "ok"

    @property
    def is_azure(self) -> bool:
        return self.provider == "azure_openai"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            provider=_str(data.get("provider")),
            name=_str(data.get("name")),
            state=_str(data.get("state"), "unknown"),
            error_message=_opt_str(data.get("error_message")),
            api_key_masked=_str(data.get("api_key_masked")),
            azure_endpoint_display=_opt_str(data.get("azure_endpoint_display")),
            api_version_display=_opt_str(data.get("api_version_display")),
            created_at=parse_datetime(data.get("created_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            last_used_at=parse_datetime(data.get("last_used_at")),
        )


@dataclass(frozen=True)
class KeyValidation:
    """Result of validating a key without saving it; ``error_field`` names the Azure field."""

    state: str
    error_message: str | None
    error_field: str | None

    @property
    def is_valid(self) -> bool:
        return self.state == "ok"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            state=str(data["state"]),
            error_message=_opt_str(data.get("error_message")),
            error_field=_opt_str(data.get("error_field")),
        )


@dataclass(frozen=True)
class TrialUsage:
    """Trial-era evaluation credits; absent from the newest API."""

    limit: int | None
    used: int | None
    remaining: int | None
    grandfathered: bool | None
    deprecation_date: datetime | None

    @classmethod
    def maybe(cls, data: Mapping[str, Any]) -> Self | None:
        if not any(str(k).startswith("trial_") for k in data):
            return None
        return cls(
            limit=_opt_int(data.get("trial_eval_limit")),
            used=_opt_int(data.get("trial_evals_used")),
            remaining=_opt_int(data.get("trial_evals_remaining")),
            grandfathered=_opt_bool(data.get("trial_grandfathered")),
            deprecation_date=parse_datetime(data.get("trial_deprecation_date")),
        )


@dataclass(frozen=True)
class EvaluationConfig:
    active_provider_key: ProviderKey | None
    trial: TrialUsage | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        active = data.get("active_provider_key")
        return cls(
            active_provider_key=ProviderKey.from_api(active) if isinstance(active, dict) else None,
            trial=TrialUsage.maybe(data),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
        )


@dataclass(frozen=True)
class DependentEvaluation:
    id: str
    name: str
    model_configuration_id: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            model_configuration_id=_opt_str(data.get("model_configuration_id")),
        )


@dataclass(frozen=True)
class AlternativeKey:
    """A healthy key of the same provider that can replace a key being deleted."""

    id: str
    name: str
    provider: str

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]), name=_str(data.get("name")), provider=_str(data.get("provider"))
        )


@dataclass(frozen=True)
class DependentConfigs:
    evaluations: list[DependentEvaluation]
    alternative_keys: list[AlternativeKey]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            evaluations=_build_list(DependentEvaluation.from_api, data.get("evaluations")),
            alternative_keys=_build_list(AlternativeKey.from_api, data.get("alternative_keys")),
        )


# --------------------------------------------------------------------------------------------
# Models


@dataclass(frozen=True)
class Model:
    id: str
    provider: str | None
    posthog_available: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, provider: str | None = None) -> Self:
        return cls(
            id=str(data["id"]),
            provider=_opt_str(data.get("provider")) or provider,
            posthog_available=_opt_bool(data.get("posthog_available")),
        )


@dataclass(frozen=True)
class ProviderSummary:
    provider: str
    model_count: int | None
    requires_provider_key: bool | None

    @property
    def label(self) -> str:
        return provider_label(self.provider)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            provider=str(data["provider"]),
            model_count=_opt_int(data.get("model_count")),
            requires_provider_key=_opt_bool(data.get("requires_provider_key")),
        )


@dataclass(frozen=True)
class ModelCatalog:
    """Both shapes: newest ``{models:[{id, provider}], providers:[...]}``, older
    ``{models:[{id, posthog_available}]}`` (then ``provider`` comes from the request)."""

    models: list[Model]
    providers: list[ProviderSummary]

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, provider: str | None = None) -> Self:
        return cls(
            models=[Model.from_api(m, provider=provider) for m in _dicts(data.get("models"))],
            providers=_build_list(ProviderSummary.from_api, data.get("providers")),
        )


# --------------------------------------------------------------------------------------------
# Evaluations


@dataclass(frozen=True)
class Evaluation:
    id: str
    name: str
    description: str
    enabled: bool
    evaluation_type: str
    evaluation_config: dict[str, Any]
    output_type: str | None
    output_config: dict[str, Any]
    conditions: list[Any]
    created_at: datetime | None
    updated_at: datetime | None
    created_by: UserBasic | None
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = frozenset(
        {
            "id",
            "name",
            "description",
            "enabled",
            "evaluation_type",
            "evaluation_config",
            "output_type",
            "output_config",
            "conditions",
            "created_at",
            "updated_at",
            "created_by",
        }
    )

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        def as_dict(value: Any) -> dict[str, Any]:
            return dict(value) if isinstance(value, dict) else {}

        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            description=_str(data.get("description")),
            enabled=bool(data.get("enabled")),
            evaluation_type=_str(data.get("evaluation_type")),
            evaluation_config=as_dict(data.get("evaluation_config")),
            output_type=_opt_str(data.get("output_type")),
            output_config=as_dict(data.get("output_config")),
            conditions=list(data.get("conditions") or []),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )


@dataclass(frozen=True)
class SummaryPattern:
    title: str
    description: str
    frequency: str
    example_reasoning: str | None
    example_generation_ids: list[str]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            title=_str(data.get("title")),
            description=_str(data.get("description")),
            frequency=_str(data.get("frequency")),
            example_reasoning=_opt_str(data.get("example_reasoning")),
            example_generation_ids=_strings(data.get("example_generation_ids")),
        )


@dataclass(frozen=True)
class SummaryStatistics:
    total_analyzed: int
    pass_count: int
    fail_count: int
    na_count: int

    @classmethod
    def from_api(cls, data: Any) -> Self:
        data = data if isinstance(data, dict) else {}
        return cls(
            **{
                name: _opt_int(data.get(name)) or 0
                for name in ("total_analyzed", "pass_count", "fail_count", "na_count")
            }
        )


@dataclass(frozen=True)
class EvaluationSummary:
    """An LLM-written summary of evaluation runs; ``to_dict()`` round-trips through from_api."""

    overall_assessment: str
    pass_patterns: list[SummaryPattern]
    fail_patterns: list[SummaryPattern]
    na_patterns: list[SummaryPattern]
    recommendations: list[str]
    statistics: SummaryStatistics

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        if "overall_assessment" not in data and "statistics" not in data:
            raise KeyError("overall_assessment")
        return cls(
            overall_assessment=_str(data.get("overall_assessment")),
            pass_patterns=_build_list(SummaryPattern.from_api, data.get("pass_patterns")),
            fail_patterns=_build_list(SummaryPattern.from_api, data.get("fail_patterns")),
            na_patterns=_build_list(SummaryPattern.from_api, data.get("na_patterns")),
            recommendations=_strings(data.get("recommendations")),
            statistics=SummaryStatistics.from_api(data.get("statistics")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, for storing a summary and rebuilding it with from_api."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Integrations


@dataclass(frozen=True)
class Integration:
    id: int
    kind: str
    display_name: str
    config: dict[str, Any]
    created_at: datetime | None
    created_by: UserBasic | None
    errors: str
    installation_status: str | None

    @property
    def needs_reconnecting(self) -> bool:
        """PostHog marks an integration whose OAuth refresh failed with this error code."""
        return self.errors == "TOKEN_REFRESH_FAILED"

    @property
    def kind_label(self) -> str:
        return integration_kind_label(self.kind)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        integration_id = int(data["id"])
        config = data.get("config")
        return cls(
            id=integration_id,
            kind=_str(data.get("kind")),
            display_name=_str(data.get("display_name")) or f"ID: {integration_id}",
            config=dict(config) if isinstance(config, dict) else {},
            created_at=parse_datetime(data.get("created_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            errors=_str(data.get("errors")),
            installation_status=_opt_str(data.get("installation_status")),
        )


@dataclass(frozen=True)
class Repository:
    id: int | None
    name: str
    full_name: str
    private: bool | None
    default_branch: str | None
    language: str | None
    pushed_at: datetime | None
    archived: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        full_name = _str(data.get("full_name"))
        return cls(
            id=_opt_int(data.get("id")),
            name=_str(data.get("name")) or full_name.rpartition("/")[2],
            full_name=full_name,
            private=_opt_bool(data.get("private")),
            default_branch=_opt_str(data.get("default_branch")),
            language=_opt_str(data.get("language")),
            pushed_at=parse_datetime(data.get("pushed_at")),
            archived=_opt_bool(data.get("archived")),
        )


@dataclass(frozen=True)
class RepositoryPage:
    """GitHub repositories; the oldest API sends only ``repositories`` (no has_more/total)."""

    repositories: list[Repository]
    has_more: bool | None
    total: int | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            repositories=[Repository.from_api(r) for r in _required_list(data, "repositories")],
            has_more=_opt_bool(data.get("has_more")),
            total=_opt_int(data.get("total")),
        )


@dataclass(frozen=True)
class BranchPage:
    branches: list[str]
    default_branch: str | None
    has_more: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        names = [
            str(b.get("name", "")) if isinstance(b, dict) else str(b)
            for b in _required_list(data, "branches", dicts_only=False)
        ]
        return cls(
            branches=[n for n in names if n],
            default_branch=_opt_str(data.get("default_branch")),
            has_more=_opt_bool(data.get("has_more")),
        )


@dataclass(frozen=True)
class JiraProject:
    id: str
    key: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), key=_str(data.get("key")), name=_str(data.get("name")))


@dataclass(frozen=True)
class LinearTeam:
    id: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), name=_str(data.get("name")))


@dataclass(frozen=True)
class SlackChannel:
    id: str
    name: str
    is_private: bool
    is_member: bool | None
    is_ext_shared: bool | None
    is_private_without_access: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            is_private=bool(data.get("is_private")),
            is_member=_opt_bool(data.get("is_member")),
            is_ext_shared=_opt_bool(data.get("is_ext_shared")),
            is_private_without_access=_opt_bool(data.get("is_private_without_access")),
        )


@dataclass(frozen=True)
class SlackChannelPage:
    channels: list[SlackChannel]
    last_refreshed_at: datetime | None
    has_more: bool | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            channels=[SlackChannel.from_api(c) for c in _required_list(data, "channels")],
            last_refreshed_at=parse_datetime(data.get("lastRefreshedAt")),
            has_more=_opt_bool(data.get("has_more")),
        )


@dataclass(frozen=True)
class GoogleAdsAccount:
    """``level`` is missing/null for top-level accounts and a string deeper down."""

    id: str
    name: str
    parent_id: str | None
    level: str | None
    manager: bool

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            parent_id=_opt_str(data.get("parent_id")),
            level=_opt_str(data.get("level")),
            manager=bool(data.get("manager")),
        )


@dataclass(frozen=True)
class GoogleConversionAction:
    id: str
    name: str
    resource_name: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            resource_name=_opt_str(data.get("resourceName")),
        )


@dataclass(frozen=True)
class LinkedInAdsAccount:
    id: str
    name: str
    reference: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=_str(data.get("name")),
            reference=_opt_str(data.get("reference")),
        )


@dataclass(frozen=True)
class LinkedInConversionRule:
    id: str
    name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(id=str(data["id"]), name=_str(data.get("name")))


@dataclass(frozen=True)
class TwilioPhoneNumber:
    sid: str
    phone_number: str
    friendly_name: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            sid=str(data["sid"]),
            phone_number=_str(data.get("phone_number")),
            friendly_name=_str(data.get("friendly_name")),
        )


@dataclass(frozen=True)
class TwilioPhoneNumbers:
    phone_numbers: list[TwilioPhoneNumber]
    last_refreshed_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            phone_numbers=[
                TwilioPhoneNumber.from_api(n) for n in _required_list(data, "phone_numbers")
            ],
            last_refreshed_at=parse_datetime(data.get("lastRefreshedAt")),
        )


def _required_list(data: Mapping[str, Any], key: str, *, dicts_only: bool = True) -> list[Any]:
    """``data[key]`` as a list; a missing or non-list value means the body is not what we expect."""
    value = data[key]
    if not isinstance(value, list):
        raise TypeError(f"{key} is not a list")
    return _dicts(value) if dicts_only else value


# --------------------------------------------------------------------------------------------
# Deprecation


@dataclass(frozen=True)
class DeprecationNotice:
    """PostHog said the API the portal calls is deprecated (``Deprecation``/``Sunset`` headers).

    The default ``/api/environments/`` prefix is such an alias; the UI shows admins a banner.
    """

    deprecation: str
    sunset: datetime | None
    successor: str | None
    first_seen: datetime
