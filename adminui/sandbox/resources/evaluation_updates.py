"""PATCH evaluations/{id}/: turning an evaluation on or off, and pointing its judge at another
key or model, validated as PostHog's EvaluationSerializer does (docs/posthog-contract.md §6.3).

Errors are raised ValidationErrors, so they reach the client through drf-exceptions-hog: one
error, `{type, code, detail, attr}`, nested fields joined with `__`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from adminui.sandbox.api import Request, Response, not_found, server_error, validation_error
from adminui.sandbox.resources.provider_keys import PROVIDERS, canonical_uuid, is_uuid
from adminui.sandbox.state import Evaluation, ModelConfiguration, ProviderKey

MODEL_MAX_LENGTH = 100
# Reasons PostHog stops an evaluation for, after which it needs a working key to run again.
PROVIDER_KEY_REASONS = frozenset(
    {
        "provider_key_deleted",
        "provider_key_invalid",
        "provider_key_permission_denied",
        "provider_key_quota_exceeded",
        "provider_key_rate_limited",
    }
)
NEEDS_WORKING_KEY = "Attach a working provider API key before re-enabling this evaluation."
_TRUE, _FALSE = (True, "true", "True", "1", 1), (False, "false", "False", "0", 0)


def update_evaluation(request: Request) -> Response:
    # PostHog's update queryset keeps deleted evaluations: a PATCH still reaches them.
    evaluation = request.state.evaluations.get(canonical_uuid(request.params["id"]) or "")
    if evaluation is None:
        raise not_found()
    data = request.data()
    enabled = _boolean(data, "enabled")
    config = _model_configuration(data)
    if config is not None and evaluation.evaluation_type != "llm_judge":
        raise validation_error(
            "This evaluation type does not use model configuration.", "model_configuration"
        )
    if enabled and not evaluation.enabled:
        _check_re_enable(request, evaluation, config)
    if config is not None:
        evaluation.model_configuration = _new_configuration(request, config)
    if enabled is not None and enabled != evaluation.enabled:
        evaluation.enabled = enabled
        evaluation.status, evaluation.status_reason = ("active" if enabled else "paused"), None
    evaluation.updated_at = datetime.now(UTC)
    return Response(200, evaluation.to_json(request.state.provider_keys))


def _boolean(data: dict[str, Any], name: str) -> bool | None:
    if name not in data:
        return None
    value = data[name]
    if value is None:
        raise validation_error("This field may not be null.", name, "null")
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise validation_error("Must be a valid boolean.", name)


def _model_configuration(data: dict[str, Any]) -> dict[str, Any] | None:
    """The nested ModelConfigurationSerializer: provider, model, optional provider_key_id.
    A null configuration leaves the current one as it is (PostHog's update ignores it)."""
    value = data.get("model_configuration")
    if value is None:
        return None
    prefix = "model_configuration__"
    if not isinstance(value, dict):
        kind = type(value).__name__
        detail = f"Invalid data. Expected a dictionary, but got {kind}."
        raise validation_error(detail, f"{prefix}non_field_errors")
    provider, model = value.get("provider"), value.get("model")
    if provider is None:
        raise _missing_or_null(value, f"{prefix}provider")
    if provider not in PROVIDERS:
        raise validation_error(
            f'"{provider}" is not a valid choice.', f"{prefix}provider", "invalid_choice"
        )
    if model is None:
        raise _missing_or_null(value, f"{prefix}model")
    if not str(model).strip():
        raise validation_error("This field may not be blank.", f"{prefix}model", "blank")
    if len(str(model)) > MODEL_MAX_LENGTH:
        detail = f"Ensure this field has no more than {MODEL_MAX_LENGTH} characters."
        raise validation_error(detail, f"{prefix}model", "max_length")
    key_id = value.get("provider_key_id")
    if key_id is not None and not is_uuid(key_id):
        raise validation_error("Must be a valid UUID.", f"{prefix}provider_key_id")
    return {
        "provider": provider,
        "model": str(model).strip(),
        "provider_key_id": canonical_uuid(key_id),
    }


def _missing_or_null(value: dict[str, Any], attr: str):
    if attr.rsplit("__", 1)[-1] in value:
        return validation_error("This field may not be null.", attr, "null")
    return validation_error("This field is required.", attr, "required")


def _check_re_enable(request: Request, evaluation: Evaluation, config: dict | None) -> None:
    """PostHog refuses to turn a stopped LLM judge back on until what stopped it is fixed, so
    the next run does not stop it again for the same reason."""
    if evaluation.evaluation_type != "llm_judge":
        return
    key = _effective_key(request, evaluation, config)
    usable = key is not None and key.state == "ok"
    if key is not None and not usable:
        raise validation_error(NEEDS_WORKING_KEY, "enabled")
    if evaluation.status_reason in PROVIDER_KEY_REASONS and not usable:
        raise validation_error(NEEDS_WORKING_KEY, "enabled")
    has_model = config is not None or evaluation.model_configuration is not None
    if evaluation.status_reason == "model_not_found" and not has_model:
        raise validation_error(
            "Choose an available model before re-enabling this evaluation.", "enabled"
        )


def _effective_key(
    request: Request, evaluation: Evaluation, config: dict | None
) -> ProviderKey | None:
    """The key the evaluation runs with after this update: its pinned key, else the project's
    active key when it is of the same provider."""
    state = request.state
    current = evaluation.model_configuration
    if config is not None:
        key_id, provider = config["provider_key_id"], config["provider"]
    elif current is not None:
        key_id, provider = current.provider_key_id, current.provider
    else:
        return None
    if key_id:
        return state.provider_keys.get(key_id)
    active = state.provider_keys.get(state.active_key_id or "")
    return active if active is not None and active.provider == provider else None


def _new_configuration(request: Request, config: dict[str, Any]) -> ModelConfiguration:
    key_id = config["provider_key_id"]
    key = request.state.provider_keys.get(key_id or "")
    if key_id and key is None:
        raise validation_error("Provider key not found", "model_configuration__provider_key_id")
    if key is not None and key.provider != config["provider"]:
        # LLMModelConfiguration.full_clean raises Django's ValidationError inside the update,
        # which no DRF handler turns into a 400.
        raise server_error()
    return ModelConfiguration(str(uuid.uuid4()), config["provider"], config["model"], key_id)
