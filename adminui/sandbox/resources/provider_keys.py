"""LLM provider keys, their live validation, the evaluation config and the models list.

Who may call what follows the `provider_key_refusal` switch, each value a refusal PostHog
answers (docs/posthog-contract.md §2.10):
- "" (default): the newest PostHog for a personal API key with the right scopes;
- "personal_key": `validate` and `dependent_configs` are custom actions, which PostHog refuses
  to personal API keys while its viewset maps no scope to them;
- "project_admin": the key's owner is not a project admin, so every write is refused
  (`TeamMemberStrictManagementPermission`);
- "evaluation_editor": the owner may not edit evaluations, so PostHog refuses what would change
  them: `set_as_active`, deleting the active key or a key evaluations use, `set_active_key`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from adminui.sandbox.api import (
    Request,
    Response,
    Route,
    not_found,
    paginate,
    permission_denied,
    raw_error,
    required,
    validation_error,
)
from adminui.sandbox.resources.provider_key_fields import (
    AZURE_DEFAULT_API_VERSION,
    PROVIDERS,
    SYSTEM_ONE_BASE_URL,
    SYSTEM_ONE_MODEL,
    canonical_uuid,
    is_uuid,
    live_validation,
    parse_key_fields,
    provider_config,
)
from adminui.sandbox.state import ProviderKey, iso

__all__ = ["ROUTES", "canonical_uuid", "is_uuid"]

NOT_PROJECT_ADMIN = "You don't have sufficient permissions in the project."
NOT_EVALUATION_EDITOR = "You do not have editor access to evaluations."
NOT_EDITOR_OF_AFFECTED = "You do not have editor access to all affected evaluations."
PERSONAL_KEY_REFUSED = "This action does not support Personal API Key access"

# PostHog funds models for these providers, so they list models without a team key.
FUNDED_MODELS = {
    "openai": ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini"],
    "anthropic": ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
    "gemini": ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"],
}
# What a provider lists live for a team's own key.
KEY_MODELS = {
    "openai": [*FUNDED_MODELS["openai"], "gpt-4o", "o3", "o4-mini"],
    "anthropic": [*FUNDED_MODELS["anthropic"], "claude-3-5-haiku-latest"],
    "gemini": [*FUNDED_MODELS["gemini"], "gemini-2.0-flash"],
    "openrouter": ["openai/gpt-5-mini", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash",
                   "meta-llama/llama-3.3-70b-instruct", "deepseek/deepseek-chat-v3.1"],
    "fireworks": ["accounts/fireworks/models/llama-v3p1-70b-instruct",
                  "accounts/fireworks/models/qwen3-235b-a22b"],
    "azure_openai": ["gpt-4o-prod", "gpt-4.1-mini-eu"],
    "together_ai": ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "Qwen/Qwen2.5-72B-Instruct-Turbo"],
    "minimax": ["MiniMax-M1", "MiniMax-Text-01"],
    "zeabur": ["gpt-4o-mini", "claude-sonnet-4-5"],
    "openai_compatible": ["llama3.1:8b", "mistral-small"],
    "typesafe": [SYSTEM_ONE_MODEL],
}  # fmt: skip


# --- Provider keys ---------------------------------------------------------------------------


def get_key(request: Request, key_id: str) -> ProviderKey:
    key = request.state.provider_keys.get(canonical_uuid(key_id) or "")
    if key is None:
        raise not_found()
    return key


def list_keys(request: Request) -> Response:
    keys = sorted(request.state.provider_keys.values(), key=lambda k: k.created_at, reverse=True)
    return paginate(request, keys, ProviderKey.to_json)


def retrieve_key(request: Request) -> Response:
    return Response(200, get_key(request, request.params["id"]).to_json())


def refuse(request: Request, refusal: str, detail: str) -> None:
    """Answer 403 with `detail` when the `provider_key_refusal` switch is `refusal`."""
    if request.state.switches.provider_key_refusal == refusal:
        raise permission_denied(detail)


def refuse_write(request: Request) -> None:
    refuse(request, "project_admin", NOT_PROJECT_ADMIN)


def create_key(request: Request) -> Response:
    refuse_write(request)
    values = parse_key_fields(request, None, partial=False)
    provider, api_key = values["provider"], values["api_key"]
    if values.get("set_as_active"):
        refuse(request, "evaluation_editor", NOT_EVALUATION_EDITOR)
    config = provider_config(provider, values)
    if provider == "typesafe":
        config = {"base_url": SYSTEM_ONE_BASE_URL, "system_one_model": SYSTEM_ONE_MODEL} | config
    _require_ok(*live_validation(request, provider, api_key, config))
    key = ProviderKey(
        id=str(uuid.uuid4()), provider=provider, name=values["name"], api_key=api_key, state="ok",
        error_message=None, created_at=datetime.now(UTC), created_by=request.state.users[0],
    )  # fmt: skip
    _store_config(key, config)
    if provider == "azure_openai":
        key.api_version = key.api_version or AZURE_DEFAULT_API_VERSION
    request.state.provider_keys[key.id] = key
    if values.get("set_as_active"):
        _set_active(request, key)
    return Response(201, key.to_json())


def update_key(request: Request) -> Response:
    refuse_write(request)
    key = get_key(request, request.params["id"])
    values = parse_key_fields(request, key, partial=request.method == "PATCH")
    config = provider_config(key.provider, values)
    # System One checks any change to its connection at once; the others only a new key.
    if "api_key" in values or (config and key.provider == "typesafe"):
        merged, api_key = _config_of(key) | config, values.get("api_key", key.api_key)
        # PostHog validates with the stored provider, even when the request changes it.
        _require_ok(*live_validation(request, key.provider, api_key, merged))
        key.api_key, key.state, key.error_message = api_key, "ok", None
        _store_config(key, merged)
    elif config:
        # A new endpoint may not work with the stored key: ask for re-validation.
        _store_config(key, config)
        key.state, key.error_message = "unknown", None
    key.name = values.get("name", key.name)
    if request.state.switches.legacy_key_updates:
        key.provider = values.get("provider", key.provider)  # older PostHog: not re-validated
    return Response(200, key.to_json())


def _config_of(key: ProviderKey) -> dict[str, Any]:
    fields = ("azure_endpoint", "api_version", "base_url", "system_one_model")
    return {name: getattr(key, name) for name in fields if getattr(key, name)}


def _store_config(key: ProviderKey, config: dict[str, Any]) -> None:
    for name, value in config.items():
        setattr(key, name, value)


def _require_ok(state: str, message: str | None, error_field: str | None) -> None:
    if state != "ok":
        raise validation_error(message or "Key validation failed", error_field or "api_key")


def delete_key(request: Request) -> Response:
    refuse_write(request)
    state = request.state
    key = get_key(request, request.params["id"])
    replacement_id = request.arg("replacement_key_id")
    configs = [c for c in state.model_configurations() if c.provider_key_id == key.id]
    if state.active_key_id == key.id:
        refuse(request, "evaluation_editor", NOT_EVALUATION_EDITOR)
    if _dependents(request, key):
        refuse(request, "evaluation_editor", NOT_EDITOR_OF_AFFECTED)
    if replacement_id:
        replacement = state.provider_keys.get(canonical_uuid(replacement_id) or "")
        if replacement is None:
            raise raw_error(400, {"detail": "Replacement key not found"})
        if replacement.id == key.id:
            raise raw_error(400, {"detail": "Replacement key cannot be the key being deleted"})
        if replacement.provider != key.provider:
            raise raw_error(400, {"detail": "Replacement key must be from the same provider"})
        for config in configs:
            config.provider_key_id = replacement.id
        if state.active_key_id == key.id:
            state.active_key_id = replacement.id  # even if the replacement is unhealthy
    else:
        _disable_dependents(request, key.id)
        for config in configs:
            config.provider_key_id = None
        if state.active_key_id == key.id:
            state.active_key_id = None
    del state.provider_keys[key.id]
    return Response(204)


def _disable_dependents(request: Request, key_id: str) -> None:
    """Running evaluations that lose their key stop with a reason; paused ones stay paused."""
    for evaluation in request.state.evaluations.values():
        config = evaluation.model_configuration
        if config and config.provider_key_id == key_id and evaluation.status == "active":
            evaluation.enabled, evaluation.status = False, "error"
            evaluation.status_reason = "provider_key_deleted"
            evaluation.updated_at = datetime.now(UTC)


def validate_key(request: Request) -> Response:
    refuse(request, "personal_key", PERSONAL_KEY_REFUSED)
    refuse_write(request)
    key = get_key(request, request.params["id"])
    if not key.api_key and key.provider != "typesafe":
        raise raw_error(400, {"detail": "No API key configured for this provider key."})
    key.state, key.error_message, _ = live_validation(
        request, key.provider, key.api_key, _config_of(key)
    )
    if answer := request.state.provider_answers.get(key.id):
        key.state, key.error_message = answer
    return Response(200, key.to_json())


def _dependents(request: Request, key: ProviderKey) -> list[dict[str, Any]]:
    return [
        {"id": e.id, "name": e.name, "model_configuration_id": e.model_configuration.id}
        for e in request.state.evaluations.values()
        if not e.deleted
        and e.model_configuration
        and e.model_configuration.provider_key_id == key.id
    ]


def dependent_configs(request: Request) -> Response:
    refuse(request, "personal_key", PERSONAL_KEY_REFUSED)
    key = get_key(request, request.params["id"])
    alternatives = [
        {"id": other.id, "name": other.name, "provider": other.provider}
        for other in request.state.provider_keys.values()
        if other.provider == key.provider and other.state == "ok" and other.id != key.id
    ]
    body = {"evaluations": _dependents(request, key), "alternative_keys": alternatives}
    return Response(200, body)


# Providers whose check can blame another input than the key; PostHog names none for the others.
_FIELD_BLAMING = ("azure_openai", "openai_compatible")


def validate_without_saving(request: Request) -> Response:
    refuse_write(request)
    data = request.data()
    api_key, provider = data.get("api_key"), data.get("provider", "openai")
    if not api_key:
        raise raw_error(400, {"detail": "API key is required."})
    if provider not in PROVIDERS:
        raise raw_error(
            400, {"detail": f"Invalid provider. Must be one of: {', '.join(PROVIDERS)}"}
        )
    # Only Azure's and the OpenAI-compatible endpoint's fields reach the check (System One's do
    # not: PostHog checks those connections with TypeSafe's defaults).
    config = provider_config(provider, data) if provider in _FIELD_BLAMING else {}
    state, message, error_field = live_validation(request, provider, str(api_key), config)
    error_field = error_field if provider in _FIELD_BLAMING and message else None
    return Response(200, {"state": state, "error_message": message, "error_field": error_field})


# --- Evaluation config -----------------------------------------------------------------------


def _config_json(request: Request) -> dict[str, Any]:
    state = request.state
    active = state.provider_keys.get(state.active_key_id or "")
    body: dict[str, Any] = {
        "active_provider_key": active.to_json() if active else None,
        "created_at": iso(state.config_created_at),
        "updated_at": iso(state.config_updated_at),
    }
    if request.state.switches.trial_era:
        body |= {"trial_eval_limit": 100, "trial_evals_used": 37, "trial_evals_remaining": 63}
    return body


def _set_active(request: Request, key: ProviderKey) -> None:
    request.state.active_key_id = key.id
    request.state.config_updated_at = datetime.now(UTC)


def evaluation_config(request: Request) -> Response:
    return Response(200, _config_json(request))


def set_active_key(request: Request) -> Response:
    refuse(request, "evaluation_editor", NOT_EVALUATION_EDITOR)
    data = request.data()
    if data.get("key_id") is None:
        raise required("key_id")
    if not is_uuid(data["key_id"]):
        raise validation_error("Must be a valid UUID.", "key_id")
    key = request.state.provider_keys.get(canonical_uuid(data["key_id"]) or "")
    if key is None:
        raise raw_error(404, {"detail": "Key not found."})
    if key.state != "ok":
        detail = f"Cannot activate key with state '{key.state}'. Please validate the key first."
        raise raw_error(400, {"detail": detail})
    _set_active(request, key)
    return Response(200, _config_json(request))


# --- Models ----------------------------------------------------------------------------------


def _available_models(provider: str, key: ProviderKey | None) -> list[str]:
    if key is None:
        return FUNDED_MODELS.get(provider, [])
    # A key the provider rejects lists nothing.
    return KEY_MODELS[provider] if key.state in ("ok", "unknown") else []


def list_models(request: Request) -> Response:
    if request.state.switches.legacy_models_shape:
        return _list_models_legacy(request)
    provider, key_id = request.arg("provider") or None, request.arg("key_id") or None
    if provider is not None and provider not in PROVIDERS:
        detail = (
            f"Invalid provider '{provider}'. Must be one of: {', '.join(PROVIDERS)}. "
            "Omit the provider param to list every supported provider."
        )
        raise raw_error(400, {"detail": detail})
    key = None
    if key_id:
        key = request.state.provider_keys.get(canonical_uuid(key_id) or "")
        if key is None:
            detail = (
                f"No provider key '{key_id}' in this project. List the team's provider keys first."
            )
            raise raw_error(404, {"detail": detail})
        if provider is not None and key.provider != provider:
            detail = (
                f"Key '{key_id}' belongs to provider '{key.provider}', not '{provider}'. "
                "Omit the provider param to use the key's own provider."
            )
            raise raw_error(400, {"detail": detail})
        provider = key.provider
    models, providers = [], []
    for candidate in [provider] if provider else PROVIDERS:
        available = _available_models(candidate, key)
        models += [{"id": model, "provider": candidate} for model in available]
        needs_key = candidate not in FUNDED_MODELS
        providers.append(
            {
                "provider": candidate,
                "model_count": len(available),
                "requires_provider_key": needs_key,
            }
        )
    return Response(200, {"models": models, "providers": providers})


def _list_models_legacy(request: Request) -> Response:
    """The shape before the providers summary: `provider` required, `posthog_available` flags."""
    provider, key_id = request.arg("provider"), request.arg("key_id")
    if not provider:
        raise raw_error(400, {"detail": "provider query param is required"})
    if provider not in PROVIDERS:
        raise raw_error(
            400, {"detail": f"Invalid provider. Must be one of: {', '.join(PROVIDERS)}"}
        )
    key = request.state.provider_keys.get(canonical_uuid(key_id) or "") if key_id else None
    if key_id and key is None:
        raise raw_error(404, {"detail": "Key not found"})
    if key and key.provider != provider:
        detail = f"Key provider '{key.provider}' does not match requested provider '{provider}'"
        raise raw_error(400, {"detail": detail})
    funded = FUNDED_MODELS.get(provider, [])
    models = [{"id": m, "posthog_available": m in funded} for m in _available_models(provider, key)]
    return Response(200, {"models": models})


KEY_READ, KEY_WRITE = "llm_provider_key:read", "llm_provider_key:write"
_KEYS = r"llm_analytics/provider_keys"
_KEY = _KEYS + r"/(?P<id>[^/]+)"

ROUTES = [
    Route("GET", _KEYS, list_keys, KEY_READ),
    Route("POST", _KEYS, create_key, KEY_WRITE),
    Route("GET", _KEY + "/dependent_configs", dependent_configs, KEY_READ),
    Route("POST", _KEY + "/validate", validate_key, KEY_WRITE),
    Route("GET", _KEY, retrieve_key, KEY_READ),
    Route("PUT", _KEY, update_key, KEY_WRITE),
    Route("PATCH", _KEY, update_key, KEY_WRITE),
    Route("DELETE", _KEY, delete_key, KEY_WRITE),
    Route("POST", r"llm_analytics/provider_key_validations", validate_without_saving, KEY_WRITE),
    Route("GET", r"llm_analytics/evaluation_config", evaluation_config, "llm_analytics:read"),
    Route(
        "POST",
        r"llm_analytics/evaluation_config/set_active_key",
        set_active_key,
        "evaluation:write",
    ),
    Route("GET", r"llm_analytics/models", list_models, "llm_analytics:read"),
]
