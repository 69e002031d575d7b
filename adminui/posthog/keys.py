"""Provider keys, key validations, the evaluation config and models: endpoints and results.

How a provider is presented (labels, placeholders) is the UI's business: `adminui.keys.providers`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from adminui.posthog.transport import Transport, _segment, _uuid, _without_none
from adminui.posthog.types import (
    Listing,
    UserBasic,
    _build_list,
    _dicts,
    _opt_bool,
    _opt_int,
    _opt_str,
    _str,
    _uuid_str,
    parse_datetime,
    readable_items,
)

# What an update may send. Never `provider`: PostHog refuses to change it ("A key's provider
# cannot change. Create a new key instead.").
PROVIDER_KEY_CHANGES = frozenset(
    {"name", "api_key", "azure_endpoint", "api_version", "base_url", "system_one_model"}
)


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
    # The endpoint of an OpenAI-compatible or System One key, and System One's model.
    base_url_display: str | None
    system_one_model_display: str | None
    created_at: datetime | None
    created_by: UserBasic | None
    last_used_at: datetime | None

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
            id=_uuid_str(data["id"]),
            provider=_str(data.get("provider")),
            name=_str(data.get("name")),
            state=_str(data.get("state"), "unknown"),
            error_message=_opt_str(data.get("error_message")),
            api_key_masked=_str(data.get("api_key_masked")),
            azure_endpoint_display=_opt_str(data.get("azure_endpoint_display")),
            api_version_display=_opt_str(data.get("api_version_display")),
            base_url_display=_opt_str(data.get("base_url_display")),
            system_one_model_display=_opt_str(data.get("system_one_model_display")),
            created_at=parse_datetime(data.get("created_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            last_used_at=parse_datetime(data.get("last_used_at")),
        )


@dataclass(frozen=True)
class KeyValidation:
    """Result of validating a key without saving it. ``error_field`` names the input PostHog
    blames (``api_key``, ``azure_endpoint``, ``base_url``), for the providers that say."""

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
            id=_uuid_str(data["id"]),
            name=_str(data.get("name")),
            model_configuration_id=_opt_str(data.get("model_configuration_id")),
        )


@dataclass(frozen=True)
class AlternativeKey:
    """A healthy key of the same provider that can replace a key being deleted."""

    id: str
    name: str
    provider: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_uuid_str(data["id"]),
            name=_str(data.get("name")),
            provider=_str(data.get("provider")),
        )


@dataclass(frozen=True)
class DependentConfigs:
    evaluations: list[DependentEvaluation]
    alternative_keys: list[AlternativeKey]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            evaluations=readable_items(
                DependentEvaluation.from_api, _dicts(data.get("evaluations"))
            ),
            alternative_keys=readable_items(
                AlternativeKey.from_api, _dicts(data.get("alternative_keys"))
            ),
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

    def available_without_key(self, model: Model) -> bool | None:
        """Whether PostHog runs the model without a key of the team's own: the older shape says
        it per model, the newest per provider (`requires_provider_key`)."""
        if model.posthog_available is not None:
            return model.posthog_available
        summary = next((p for p in self.providers if p.provider == model.provider), None)
        if summary is None or summary.requires_provider_key is None:
            return None
        return not summary.requires_provider_key

    def rows(self) -> list[tuple[Model, bool | None]]:
        """Each model with whether it is available without a key."""
        return [(model, self.available_without_key(model)) for model in self.models]


class KeyEndpoints(Transport):
    """Provider keys, their validation, the evaluation config and the model catalog."""

    # ----------------------------------------------------------------------------------------
    # Provider keys

    def list_provider_keys(self) -> Listing[ProviderKey]:
        """Every provider key of the project, newest first, across all pages (``skipped``
        counts the ones PostHog sent malformed)."""
        return self._list_all("llm_analytics/provider_keys/", ProviderKey.from_api)

    def get_provider_key(self, key_id: str | uuid.UUID) -> ProviderKey:
        return self._parse(ProviderKey.from_api, self._get_object(_key_path(key_id)))

    def create_provider_key(
        self,
        *,
        provider: str,
        name: str,
        api_key: str,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        base_url: str | None = None,
        system_one_model: str | None = None,
        set_as_active: bool = False,
    ) -> ProviderKey:
        """Create a key; PostHog validates it live with the provider first (LLM timeout). An
        empty ``api_key`` is only for a System One endpoint that takes no credential."""
        body = _without_none(
            {
                "provider": provider,
                "name": name,
                "api_key": api_key,
                "azure_endpoint": azure_endpoint,
                "api_version": api_version,
                "base_url": base_url,
                "system_one_model": system_one_model,
                "set_as_active": set_as_active,
            }
        )
        data = self._write_object("POST", "llm_analytics/provider_keys/", body, llm=True)
        return self._parse(ProviderKey.from_api, data)

    def update_provider_key(
        self,
        key_id: str | uuid.UUID,
        changes: Mapping[str, Any],
        *,
        without_credential: bool = False,
    ) -> ProviderKey:
        """PATCH only the given fields. ``None`` values, and an empty ``api_key`` ("keep the
        current key"), are left out; ``without_credential`` sends the empty key that tells
        PostHog a System One endpoint takes none. A new key is validated live (LLM timeout)."""
        unknown = set(changes) - PROVIDER_KEY_CHANGES
        if unknown:
            raise ValueError(f"Provider keys cannot change {sorted(unknown)}")
        body = _without_none(changes)
        if without_credential:
            body["api_key"] = ""
        elif not body.get("api_key"):
            body.pop("api_key", None)
        data = self._write_object("PATCH", _key_path(key_id), body, llm="api_key" in body)
        return self._parse(ProviderKey.from_api, data)

    def delete_provider_key(
        self, key_id: str | uuid.UUID, *, replacement_key_id: str | uuid.UUID | None = None
    ) -> None:
        """Delete a key; with a replacement, PostHog re-points dependent evaluations to it."""
        params = {"replacement_key_id": _uuid(replacement_key_id, "replacement key")}
        self._request("DELETE", _key_path(key_id), params=params)

    def validate_provider_key(self, key_id: str | uuid.UUID) -> ProviderKey:
        """Re-check a stored key with its provider; the result's ``state`` says how it went."""
        data = self._write_object("POST", _key_path(key_id, "validate"), None, llm=True)
        return self._parse(ProviderKey.from_api, data)

    def get_dependent_configs(self, key_id: str | uuid.UUID) -> DependentConfigs:
        data = self._get_object(_key_path(key_id, "dependent_configs"))
        return self._parse(DependentConfigs.from_api, data)

    def check_provider_key(
        self,
        *,
        provider: str,
        api_key: str,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        base_url: str | None = None,
    ) -> KeyValidation:
        """Validate a key without saving it (``provider_key_validations``)."""
        body = _without_none(
            {
                "provider": provider,
                "api_key": api_key,
                "azure_endpoint": azure_endpoint,
                "api_version": api_version,
                "base_url": base_url,
            }
        )
        data = self._write_object("POST", "llm_analytics/provider_key_validations/", body, llm=True)
        return self._parse(KeyValidation.from_api, data)

    # ----------------------------------------------------------------------------------------
    # Evaluation config and models

    def get_evaluation_config(self) -> EvaluationConfig:
        data = self._get_object("llm_analytics/evaluation_config/")
        return self._parse(EvaluationConfig.from_api, data)

    def set_active_key(self, key_id: str | uuid.UUID) -> EvaluationConfig:
        body = {"key_id": _uuid(key_id, "provider key")}
        data = self._write_object("POST", "llm_analytics/evaluation_config/set_active_key/", body)
        return self._parse(EvaluationConfig.from_api, data)

    def list_models(
        self, *, provider: str | None = None, key_id: str | uuid.UUID | None = None
    ) -> ModelCatalog:
        """Models per provider. With ``key_id`` PostHog asks the provider live (LLM timeout)."""
        params = {"provider": provider, "key_id": _uuid(key_id, "provider key")}
        data = self._get_object("llm_analytics/models/", params, llm=key_id is not None)
        return self._parse(lambda d: ModelCatalog.from_api(d, provider=provider), data)


def _key_path(key_id: str | uuid.UUID, action: str | None = None) -> str:
    path = f"llm_analytics/provider_keys/{_uuid(key_id, 'provider key')}/"
    return f"{path}{_segment(action)}/" if action else path
