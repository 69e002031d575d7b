"""LLM provider keys, their live validation, the evaluation config and the models list."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from adminui.sandbox.api import (
    Request,
    Response,
    Route,
    not_found,
    paginate,
    raw_error,
    required,
    validation_error,
)
from adminui.sandbox.state import ProviderKey, iso

PROVIDER_LABELS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google Gemini",
    "openrouter": "OpenRouter",
    "fireworks": "Fireworks",
    "azure_openai": "Azure OpenAI",
    "together_ai": "Together AI",
    "minimax": "MiniMax",
    "zeabur": "Zeabur AI Hub",
    "openai_compatible": "OpenAI-compatible",
}
PROVIDERS = list(PROVIDER_LABELS)
KEY_PREFIXES = {
    "openai": (("sk-", "sk-proj-"), "Key should start with 'sk-' or 'sk-proj-'."),
    "anthropic": (("sk-ant-",), "Key should start with 'sk-ant-'."),
    "zeabur": (("sk-",), "Key should start with 'sk-'."),
}
AZURE_DOMAINS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
AZURE_DEFAULT_API_VERSION = "2024-10-21"
AZURE_ENDPOINT_RULE = (
    "Azure endpoint must be an https:// URL on an Azure domain (e.g. *.openai.azure.com)."
)

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
}  # fmt: skip


# --- Simulated live validation ---------------------------------------------------------------


def live_validation(
    request: Request, provider: str, api_key: str, azure_endpoint: str | None = None
) -> tuple[str, str | None, str | None]:
    """What the provider says about a key: (state, error_message, error_field).

    The outcome follows magic words in the key (see the server module's docstring). The short
    sleep stands in for the provider round trip; it happens outside the state lock.
    """
    with request.state.released():
        time.sleep(request.state.switches.validation_delay)
    text = api_key.lower()
    if provider == "azure_openai":
        if not azure_endpoint:
            return "error", "Azure endpoint is required", "azure_endpoint"
        if "missing" in (urlsplit(azure_endpoint).hostname or ""):
            return "error", "Azure endpoint not found — check the URL", "azure_endpoint"
    if "invalid" in text:
        return "invalid", "Invalid API key", "api_key"
    if "ratelimit" in text:
        return "error", "Rate limited, please try again later", "api_key"
    if "unreachable" in text:
        if provider == "azure_openai":
            return "error", "Could not connect to Azure OpenAI endpoint", "azure_endpoint"
        return "error", f"Could not connect to {PROVIDER_LABELS[provider]}", "api_key"
    return "ok", None, None


# --- Field validation, as LLMProviderKeySerializer does it -----------------------------------


def char_field(data: dict, name: str, *, max_length: int | None = None) -> str:
    value = data[name]
    if value is None:
        raise validation_error("This field may not be null.", name, "null")
    if isinstance(value, bool | dict | list):
        raise validation_error("Not a valid string.", name)
    text = str(value).strip()
    if not text:
        raise validation_error("This field may not be blank.", name, "blank")
    if max_length is not None and len(text) > max_length:
        detail = f"Ensure this field has no more than {max_length} characters."
        raise validation_error(detail, name, "max_length")
    return text


def choice_field(data: dict, name: str, choices: list[str]) -> str:
    value = data[name]
    if value is None:
        raise validation_error("This field may not be null.", name, "null")
    if value not in choices:
        raise validation_error(f'"{value}" is not a valid choice.', name, "invalid_choice")
    return value


def bool_field(data: dict, name: str) -> bool:
    value = data[name]
    truthy, falsy = {True, "true", "True", "1"}, {False, "false", "False", "0"}  # 1 == True
    if value in truthy or value in falsy:
        return value in truthy
    raise validation_error("Must be a valid boolean.", name)


def url_field(data: dict, name: str) -> str:
    url = char_field(data, name)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        raise validation_error("Enter a valid URL.", name)
    return url


def is_uuid(value: Any) -> bool:
    return canonical_uuid(value) is not None


def canonical_uuid(value: Any) -> str | None:
    """The lower-case dashed form Django stores, or None for a malformed id."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def check_key_prefix(provider: str, api_key: str) -> None:
    prefixes, hint = KEY_PREFIXES.get(provider, ((), ""))
    if prefixes and not api_key.startswith(prefixes):
        label = PROVIDER_LABELS[provider]
        raise validation_error(f"Invalid {label} API key format. {hint}", "api_key")


def parse_key_fields(request: Request, instance: ProviderKey | None, *, partial: bool) -> dict:
    """Validated fields, checked in the serializer's field order so the first error matches."""
    data = request.data()
    values: dict[str, Any] = {}
    if "provider" in data:
        values["provider"] = choice_field(data, "provider", PROVIDERS)
    elif not partial:
        raise required("provider")
    if "name" in data:
        values["name"] = char_field(data, "name", max_length=255)
    elif not partial:
        raise required("name")
    if "api_key" in data:
        values["api_key"] = char_field(data, "api_key")
        check_key_prefix(
            data.get("provider") or (instance.provider if instance else "openai"), values["api_key"]
        )
    if "azure_endpoint" in data:
        values["azure_endpoint"] = url_field(data, "azure_endpoint")
    if "api_version" in data:
        values["api_version"] = char_field(data, "api_version", max_length=20)
    if "set_as_active" in data:
        values["set_as_active"] = bool_field(data, "set_as_active")

    if instance is None and "api_key" not in values:
        raise validation_error("API key is required when creating a new provider key.", "api_key")
    if values.get("provider", instance.provider if instance else None) == "azure_openai":
        endpoint = values.get("azure_endpoint")
        if not endpoint and not (instance and instance.azure_endpoint):
            raise validation_error("Azure endpoint is required for Azure OpenAI.", "azure_endpoint")
        if endpoint and not _is_azure_endpoint(endpoint):
            raise validation_error(AZURE_ENDPOINT_RULE, "azure_endpoint")
    return values


def _is_azure_endpoint(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "").endswith(AZURE_DOMAINS)


def _require_ok(state: str, message: str | None, error_field: str | None) -> None:
    if state != "ok":
        raise validation_error(message or "Key validation failed", error_field or "api_key")


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


def create_key(request: Request) -> Response:
    values = parse_key_fields(request, None, partial=False)
    provider, api_key = values["provider"], values["api_key"]
    endpoint = values.get("azure_endpoint")
    _require_ok(*live_validation(request, provider, api_key, endpoint))
    key = ProviderKey(
        id=str(uuid.uuid4()), provider=provider, name=values["name"], api_key=api_key, state="ok",
        error_message=None, created_at=datetime.now(UTC), created_by=request.state.users[0],
    )  # fmt: skip
    if provider == "azure_openai":
        key.azure_endpoint = endpoint
        key.api_version = values.get("api_version") or AZURE_DEFAULT_API_VERSION
    request.state.provider_keys[key.id] = key
    if values.get("set_as_active"):
        _set_active(request, key)
    return Response(201, key.to_json())


def update_key(request: Request) -> Response:
    key = get_key(request, request.params["id"])
    values = parse_key_fields(request, key, partial=request.method == "PATCH")
    azure_changes = {
        name: values[name] for name in ("azure_endpoint", "api_version") if name in values
    }
    if "api_key" in values:
        endpoint = azure_changes.get("azure_endpoint", key.azure_endpoint)
        # PostHog validates with the stored provider, even when the request changes it.
        _require_ok(*live_validation(request, key.provider, values["api_key"], endpoint))
        key.api_key, key.state, key.error_message = values["api_key"], "ok", None
        if key.provider == "azure_openai":
            key.azure_endpoint = endpoint
            key.api_version = azure_changes.get("api_version", key.api_version)
    elif azure_changes and key.provider == "azure_openai":
        # A new endpoint or version may not work with the stored key: ask for re-validation.
        key.azure_endpoint = azure_changes.get("azure_endpoint", key.azure_endpoint)
        key.api_version = azure_changes.get("api_version", key.api_version)
        key.state, key.error_message = "unknown", None
    key.name = values.get("name", key.name)
    key.provider = values.get("provider", key.provider)  # a PostHog quirk: not re-validated
    return Response(200, key.to_json())


def delete_key(request: Request) -> Response:
    state = request.state
    key = get_key(request, request.params["id"])
    replacement_id = request.arg("replacement_key_id")
    configs = [c for c in state.model_configurations() if c.provider_key_id == key.id]
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
    key = get_key(request, request.params["id"])
    if not key.api_key:
        raise raw_error(400, {"detail": "No API key configured for this provider key."})
    key.state, key.error_message, _ = live_validation(
        request, key.provider, key.api_key, key.azure_endpoint
    )
    return Response(200, key.to_json())


def dependent_configs(request: Request) -> Response:
    state = request.state
    key = get_key(request, request.params["id"])
    evaluations = [
        {"id": e.id, "name": e.name, "model_configuration_id": e.model_configuration.id}
        for e in state.evaluations.values()
        if not e.deleted
        and e.model_configuration
        and e.model_configuration.provider_key_id == key.id
    ]
    alternatives = [
        {"id": other.id, "name": other.name, "provider": other.provider}
        for other in state.provider_keys.values()
        if other.provider == key.provider and other.state == "ok" and other.id != key.id
    ]
    return Response(200, {"evaluations": evaluations, "alternative_keys": alternatives})


def validate_without_saving(request: Request) -> Response:
    data = request.data()
    api_key, provider = data.get("api_key"), data.get("provider", "openai")
    if not api_key:
        raise raw_error(400, {"detail": "API key is required."})
    if provider not in PROVIDERS:
        raise raw_error(
            400, {"detail": f"Invalid provider. Must be one of: {', '.join(PROVIDERS)}"}
        )
    state, message, error_field = live_validation(
        request, provider, str(api_key), data.get("azure_endpoint")
    )
    # Only Azure tells which input is wrong; the other providers only ever blame the key.
    error_field = error_field if provider == "azure_openai" and message else None
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
