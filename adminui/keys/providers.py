"""How the UI presents LLM providers and key states: labels, placeholders, key prefixes.

PostHog's API knows providers by slug only (`adminui.posthog.keys`); these tables are the
portal's, shared by the key forms, the key screens and the ``provider_label`` template filter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderInfo:
    """How the UI presents one LLM provider, after PostHog's newest serializer and settings page
    (docs/posthog-contract.md §2.1, §5): ``key_prefixes`` mirror its format checks and
    ``config_fields`` the provider's own write-only fields."""

    slug: str
    label: str
    key_placeholder: str = ""
    key_prefixes: tuple[str, ...] = ()
    config_fields: tuple[str, ...] = ()
    # The OpenAI-compatible provider has no endpoint of its own: the key must name one.
    needs_base_url: bool = False
    # System One may run on an endpoint that takes no credential.
    credential_optional: bool = False
    # PostHog refuses to make System One keys active ("Select the TypeSafe key on an evaluation
    # instead.") and its pre-validation ignores their endpoint, so the portal offers neither.
    can_be_active: bool = True
    checked_before_saving: bool = True


AZURE_FIELDS = ("azure_endpoint", "api_version")
PROVIDERS: dict[str, ProviderInfo] = {
    p.slug: p
    for p in (
        ProviderInfo("openai", "OpenAI", "sk-...", ("sk-", "sk-proj-")),
        ProviderInfo("anthropic", "Anthropic", "sk-ant-...", ("sk-ant-",)),
        ProviderInfo("gemini", "Google Gemini", "AIza..."),
        ProviderInfo("openrouter", "OpenRouter", "sk-or-..."),
        ProviderInfo("fireworks", "Fireworks", "fw_..."),
        ProviderInfo(
            "azure_openai", "Azure OpenAI", "Azure OpenAI key", config_fields=AZURE_FIELDS
        ),
        ProviderInfo("together_ai", "Together AI", "Together AI key"),
        ProviderInfo("minimax", "MiniMax", "MiniMax key"),
        ProviderInfo("zeabur", "Zeabur AI Hub", "sk-...", ("sk-",)),
        ProviderInfo(
            "openai_compatible",
            "OpenAI-compatible",
            "API key",
            config_fields=("base_url",),
            needs_base_url=True,
        ),
        ProviderInfo(
            "typesafe",
            "System One (Jev)",
            "TypeSafe API key",
            config_fields=("base_url", "system_one_model"),
            credential_optional=True,
            can_be_active=False,
            checked_before_saving=False,
        ),
    )
}
# ``google`` was the provider's name for a while (migrations 0016/0017); show it like gemini.
PROVIDER_ALIASES = {"google": "gemini"}
AZURE_DEFAULT_API_VERSION = "2024-10-21"
SYSTEM_ONE_BASE_URL = "https://api.typesafe.ai/v1"
SYSTEM_ONE_MODEL = "jev-1.13.0"


def provider_info(slug: str) -> ProviderInfo:
    """The table entry for ``slug``; unknown providers get a title-cased label (enum is open)."""
    canonical = PROVIDER_ALIASES.get(slug, slug)
    known = PROVIDERS.get(canonical)
    if known:
        return known
    return ProviderInfo(slug, slug.replace("_", " ").replace("-", " ").title())


def provider_label(slug: str) -> str:
    return provider_info(slug).label


# The states of a key PostHog could not use: refused by the provider, or its check failed.
FAILING_STATES = ("invalid", "error")
KEY_STATE_LABELS = {"ok": "Valid", "invalid": "Invalid", "error": "Error", "unknown": "Unknown"}


def key_state_label(state: str) -> str:
    return KEY_STATE_LABELS.get(state, state.title())
