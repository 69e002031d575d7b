"""What PostHog checks in a provider key before saving it: the serializer's field rules and the
provider's live validation, simulated.

Sources (docs/posthog-contract.md §2): `products/ai_observability/backend/api/provider_keys.py`
@ae34e355 (openai_compatible and its `base_url`) and @6703c4de (System One, the provider lock, a
blank `api_key`), and the adapters under `products/ai_observability/backend/llm/providers/`.
"""

from __future__ import annotations

import ipaddress
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from adminui.sandbox.api import Request, required, validation_error
from adminui.sandbox.state import ProviderKey

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
    "typesafe": "System One (Jev)",
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
# openai_compatible (llm/providers/openai_compatible.py): the endpoint is the key's own.
BASE_URL_RULE = "Base URL must be a public https:// URL (e.g. https://api.example.com/v1)"
BASE_URL_REQUIRED = "Base URL is required for OpenAI-compatible providers."
NO_MODEL_LIST = "The endpoint did not return a model list, check the base URL"
REDIRECTED = "The endpoint redirected to a different address, use that address as the base URL"
ENDPOINT_UNREACHABLE = "Could not connect to the endpoint"
# typesafe (llm/system_one.py): TypeSafe's hosted System One unless the key names another.
SYSTEM_ONE_BASE_URL = "https://api.typesafe.ai/v1"
SYSTEM_ONE_MODEL = "jev-1.13.0"
SYSTEM_ONE_URL_RULE = "Use an HTTPS base URL without credentials, a query, or a fragment."
# The fields each provider keeps in its encrypted config; PostHog drops the others on write.
CONFIG_FIELDS = {
    "azure_openai": ("azure_endpoint", "api_version"),
    "openai_compatible": ("base_url",),
    "typesafe": ("base_url", "system_one_model"),
}
_PRIVATE_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa")


# --- Simulated live validation ---------------------------------------------------------------


def live_validation(
    request: Request, provider: str, api_key: str, config: dict[str, Any] | None = None
) -> tuple[str, str | None, str | None]:
    """What the provider says about a key: (state, error_message, error_field).

    The outcome follows magic words in the key and in the endpoint's host (the server module's
    docstring lists them). ``error_field`` names the input PostHog blames, or None where it
    names none (a rate limit). The sleep stands in for the provider round trip, outside the lock.
    """
    with request.state.released():
        time.sleep(request.state.switches.validation_delay)
    config = config or {}
    text = api_key.lower()
    if provider == "azure_openai":
        endpoint = config.get("azure_endpoint")
        if not endpoint:
            return "error", "Azure endpoint is required", "azure_endpoint"
        if "missing" in (urlsplit(endpoint).hostname or ""):
            return "error", "Azure endpoint not found — check the URL", "azure_endpoint"
    if provider == "openai_compatible" and (
        endpoint_problem := _base_url_verdict(config.get("base_url") or "")
    ):
        return endpoint_problem
    if provider == "typesafe":
        return _system_one_verdict(text, config)
    if "invalid" in text:
        return "invalid", "Invalid API key", "api_key"
    if "ratelimit" in text:
        return "error", "Rate limited, please try again later", None
    if "unreachable" in text:
        return _unreachable(provider)
    return "ok", None, None


def _base_url_verdict(base_url: str) -> tuple[str, str | None, str | None] | None:
    if not base_url:
        return "invalid", "Base URL is required", "base_url"
    if not is_public_https_url(base_url):
        return "invalid", BASE_URL_RULE, "base_url"
    host = urlsplit(base_url).hostname or ""
    if "missing" in host:
        return "invalid", NO_MODEL_LIST, "base_url"
    if "redirect" in host:
        return "invalid", REDIRECTED, "base_url"
    if "unreachable" in host:
        return "error", ENDPOINT_UNREACHABLE, "base_url"
    return None


def _system_one_verdict(text: str, config: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """System One reports every failure on the credential (llm/system_one.py `validate_key`)."""
    base_url = config.get("base_url") or SYSTEM_ONE_BASE_URL
    if not text and base_url == SYSTEM_ONE_BASE_URL:
        return "invalid", "A TypeSafe API key is required.", "api_key"
    if "invalid" in text:
        return (
            "invalid",
            "The endpoint rejected this credential. Check the bearer token.",
            "api_key",
        )
    if "unreachable" in text or "unreachable" in (urlsplit(base_url).hostname or ""):
        return "error", "Could not reach the System One endpoint. Try again.", "api_key"
    return "ok", None, None


def _unreachable(provider: str) -> tuple[str, str | None, str | None]:
    if provider == "azure_openai":
        return "error", "Could not connect to Azure OpenAI endpoint", "azure_endpoint"
    if provider == "openai_compatible":
        return "error", ENDPOINT_UNREACHABLE, "base_url"
    return "error", f"Could not connect to {PROVIDER_LABELS[provider]}", "api_key"


def is_public_https_url(url: str) -> bool:
    """PostHog's `is_allowed_custom_base_url`: https, a host, and not a private address. PostHog
    also resolves the name; the sandbox has no network, so it judges names by their shape."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host and host != "localhost" and not host.endswith(_PRIVATE_SUFFIXES)


# --- Field validation, as LLMProviderKeySerializer does it -----------------------------------


def char_field(
    data: dict, name: str, *, max_length: int | None = None, allow_blank: bool = False
) -> str:
    value = data[name]
    if value is None:
        raise validation_error("This field may not be null.", name, "null")
    if isinstance(value, bool | dict | list):
        raise validation_error("Not a valid string.", name)
    text = str(value).strip()
    if not text and not allow_blank:
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
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or ("." not in host and host != "localhost"):
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
    """Validated fields, checked in the serializer's order so the first error matches."""
    data = request.data()
    legacy = request.state.switches.legacy_key_updates
    values: dict[str, Any] = {}
    if "provider" in data:
        values["provider"] = choice_field(data, "provider", PROVIDERS)
    elif not partial:
        raise required("provider")
    if "name" in data:
        values["name"] = char_field(data, "name", max_length=255)
    elif not partial:
        raise required("name")
    provider = values.get("provider") or (instance.provider if instance else "openai")
    if "api_key" in data:
        # The newest serializer allows a blank key, then refuses it unless System One takes it.
        values["api_key"] = char_field(data, "api_key", allow_blank=not legacy)
        if values["api_key"]:
            check_key_prefix(data.get("provider") or provider, values["api_key"])
    for name in ("azure_endpoint", "base_url"):
        if name in data:
            values[name] = url_field(data, name)
    if "api_version" in data:
        values["api_version"] = char_field(data, "api_version", max_length=20)
    if "system_one_model" in data:
        values["system_one_model"] = char_field(data, "system_one_model", max_length=100)
    if "set_as_active" in data:
        values["set_as_active"] = bool_field(data, "set_as_active")
    _check_together(values, instance, provider, legacy=legacy)
    return values


def _check_together(
    values: dict[str, Any], instance: ProviderKey | None, provider: str, *, legacy: bool
) -> None:
    """The serializer's `validate()`: rules that tie fields to the provider and to the key."""
    if instance is None and "api_key" not in values:
        raise validation_error("API key is required when creating a new provider key.", "api_key")
    if provider == "typesafe":
        _check_system_one(values, instance)
    elif values.get("api_key") == "":
        raise validation_error("An API key is required.", "api_key")
    if not legacy and instance is not None and provider != instance.provider:
        detail = "A key's provider cannot change. Create a new key instead."
        raise validation_error(detail, "provider")
    if provider == "azure_openai":
        endpoint = values.get("azure_endpoint")
        if not endpoint and not (instance and instance.azure_endpoint):
            raise validation_error("Azure endpoint is required for Azure OpenAI.", "azure_endpoint")
        if endpoint and not _is_azure_endpoint(endpoint):
            raise validation_error(AZURE_ENDPOINT_RULE, "azure_endpoint")
    if provider == "openai_compatible":
        base_url = values.get("base_url")
        if not base_url and not (instance and instance.base_url):
            raise validation_error(BASE_URL_REQUIRED, "base_url")
        if base_url and not is_public_https_url(base_url):
            raise validation_error(f"{BASE_URL_RULE}.", "base_url")


def _check_system_one(values: dict[str, Any], instance: ProviderKey | None) -> None:
    if "base_url" in values:
        values["base_url"] = _system_one_base_url(values["base_url"])
        current = (instance.base_url if instance else None) or SYSTEM_ONE_BASE_URL
        if instance is not None and values["base_url"] != current and "api_key" not in values:
            detail = (
                "Enter the credential for the new endpoint, or an empty value for no "
                "authentication."
            )
            raise validation_error(detail, "api_key")
    if values.get("set_as_active"):
        detail = "Select the TypeSafe key on an evaluation instead."
        raise validation_error(detail, "set_as_active")


def _system_one_base_url(url: str) -> str:
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
    ):
        raise validation_error(SYSTEM_ONE_URL_RULE, "base_url")
    return url.rstrip("/")


def _is_azure_endpoint(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "").endswith(AZURE_DOMAINS)


def provider_config(provider: str, values: dict[str, Any]) -> dict[str, Any]:
    """The given fields this provider keeps; the others PostHog drops without a word."""
    return {name: values[name] for name in CONFIG_FIELDS.get(provider, ()) if values.get(name)}
