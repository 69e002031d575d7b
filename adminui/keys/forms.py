"""Forms for adding, editing and checking provider keys.

Fields only some providers take (Azure's endpoint and version, the base URL of an
OpenAI-compatible or System One endpoint, System One's model) are on every form; on the add form
they show only while such a provider is chosen (templates/keys/_provider_field.html, app.css).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from adminui.keys.providers import (
    AZURE_DEFAULT_API_VERSION,
    PROVIDERS,
    SYSTEM_ONE_BASE_URL,
    SYSTEM_ONE_MODEL,
    ProviderInfo,
    provider_info,
)
from adminui.posthog import PostHogEnvironment
from adminui.posthog.keys import ProviderKey
from adminui.web.forms import use_field_templates

PROVIDER_CHOICES = [(slug, info.label) for slug, info in PROVIDERS.items()]
# Which providers take each provider-specific field, and the id of the slot under it where the
# key check says what it found wrong with that field (templates/keys/add.html#key-check).
PROVIDER_FIELDS = {
    "azure_endpoint": (("azure_openai",), "azure-endpoint-status"),
    "api_version": (("azure_openai",), ""),
    "base_url": (("openai_compatible", "typesafe"), "base-url-status"),
    "system_one_model": (("typesafe",), ""),
    "without_credential": (("typesafe",), ""),
}
# PostHog's own words (products/ai_observability/backend/api/provider_keys.py @ae34e355).
BASE_URL_REQUIRED = "Base URL is required for OpenAI-compatible providers."
BASE_URL_RULE = "Base URL must be a public https:// URL (e.g. https://api.example.com/v1)."
# A secret: never filled back in, autofilled or spell-checked; its check's answer describes it.
API_KEY_ATTRS = {
    "autocomplete": "off",
    "spellcheck": "false",
    "aria-describedby": "api-key-status",
}


def checked_on_blur(check_url: str) -> dict[str, str]:
    """Widget attributes that ask PostHog to check the typed key when the field loses focus;
    the answer lands under the API key (templates/keys/_api_key_field.html)."""
    return {
        "hx-post": check_url,
        "hx-trigger": "blur changed",
        "hx-include": "closest form",
        "hx-target": "#api-key-status",
        "hx-swap": "innerHTML",
        "hx-indicator": "#api-key-checking",
    }


class ProviderSelect(forms.Select):
    """Each provider's option carries its key placeholder, which app.js shows in the API key."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-placeholder"] = provider_info(str(value)).key_placeholder
        return option


class ProviderKeyFormMixin(forms.Form):
    """The fields some providers take, and the rules that tie them to the provider."""

    azure_endpoint = forms.URLField(
        required=False,
        label="Azure endpoint",
        assume_scheme="https",
        widget=forms.URLInput({"placeholder": "https://my-resource.openai.azure.com/"}),
    )
    api_version = forms.CharField(
        required=False, max_length=20, label="API version", initial=AZURE_DEFAULT_API_VERSION
    )
    base_url = forms.URLField(
        required=False,
        label="Base URL",
        assume_scheme="https",
        widget=forms.URLInput({"placeholder": "https://api.example.com/v1"}),
        # Worded as PostHog does, whether this form or PostHog finds the problem.
        error_messages={"required": BASE_URL_REQUIRED, "invalid": BASE_URL_RULE},
    )
    system_one_model = forms.CharField(
        required=False,
        max_length=100,
        label="Model ID",
        widget=forms.TextInput({"placeholder": SYSTEM_ONE_MODEL}),
    )
    without_credential = forms.BooleanField(
        required=False, label="This System One endpoint takes no credential"
    )

    def __init__(self, *args, environment: PostHogEnvironment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        use_field_templates(self, {"api_key": "keys/_api_key_field.html"})
        use_field_templates(self, dict.fromkeys(PROVIDER_FIELDS, "keys/_provider_field.html"))
        for name, (providers, status_id) in PROVIDER_FIELDS.items():
            # Read by templates/keys/_provider_field.html.
            self.fields[name].providers = providers  # type: ignore[attr-defined]
            self.fields[name].status_id = status_id  # type: ignore[attr-defined]
        # The sandbox's test keys are named under the field (templates/keys/_api_key_field.html).
        self.sandbox = bool(environment and environment.sandbox)
        self.check_url = reverse("key-check", args=[environment]) if environment else ""
        api_key = self.fields["api_key"].widget
        api_key.attrs.setdefault("placeholder", self.key_placeholder())
        if self.check_url:
            api_key.attrs |= checked_on_blur(self.check_url)

    def provider_slug(self) -> str:
        raise NotImplementedError

    def chosen_provider(self) -> ProviderInfo:
        return provider_info(self.provider_slug())

    def key_placeholder(self) -> str:
        return self.chosen_provider().key_placeholder

    def clean(self):
        cleaned = super().clean()
        info = self.chosen_provider()
        needs_azure_endpoint = "azure_endpoint" in info.config_fields and self.requires_endpoint()
        if needs_azure_endpoint and not cleaned.get("azure_endpoint"):
            self.add_error("azure_endpoint", "Azure endpoint is required for Azure OpenAI.")
        if info.needs_base_url and "base_url" not in self.errors:
            base_url = cleaned.get("base_url") or ""
            if not base_url and self.requires_endpoint():
                self.add_error("base_url", BASE_URL_REQUIRED)
            elif base_url and not base_url.startswith("https://"):
                self.add_error("base_url", BASE_URL_RULE)
        return cleaned

    def requires_endpoint(self) -> bool:
        """Whether the endpoint must be typed here (an edited key may keep its own)."""
        return True

    def clears_credential(self) -> bool:
        """A System One endpoint without a credential (and none typed): PostHog takes an empty
        api_key for it."""
        return (
            self.chosen_provider().credential_optional
            and bool(self.cleaned_data.get("without_credential"))
            and not self.cleaned_data.get("api_key")
        )

    def provider_config(self) -> dict[str, Any]:
        """The provider-specific fields this provider takes, as typed."""
        return {
            name: self.cleaned_data[name]
            for name in self.chosen_provider().config_fields
            if self.cleaned_data.get(name)
        }


class ProviderKeyCreateForm(ProviderKeyFormMixin):
    provider = forms.ChoiceField(
        choices=PROVIDER_CHOICES,
        initial="openai",
        widget=ProviderSelect({"data-placeholder-for": "id_api_key"}),
    )
    name = forms.CharField(
        max_length=255, widget=forms.TextInput({"placeholder": "e.g. Production key"})
    )
    api_key = forms.CharField(
        label="API key", strip=True, widget=forms.PasswordInput(API_KEY_ATTRS)
    )
    set_as_active = forms.BooleanField(required=False, label="Use for evaluations")

    field_order = [
        "provider",
        "name",
        "api_key",
        "without_credential",
        "azure_endpoint",
        "api_version",
        "base_url",
        "system_one_model",
        "set_as_active",
    ]

    def __init__(self, *args, environment: PostHogEnvironment | None = None, **kwargs):
        super().__init__(*args, environment=environment, **kwargs)
        # Only System One may go without a credential, and only when the user says so.
        self.fields["api_key"].required = not (
            self.chosen_provider().credential_optional and self.data.get("without_credential")
        )
        self.fields["base_url"].optional_note = "required for OpenAI-compatible"  # type: ignore[attr-defined]
        version_help = f"Azure OpenAI only. PostHog's default is {AZURE_DEFAULT_API_VERSION}."
        self.fields["api_version"].help_text = version_help
        self.fields["base_url"].help_text = (
            "OpenAI-compatible: required, a public https:// URL that serves /models and "
            "/chat/completions. System One: leave empty for TypeSafe's hosted endpoint "
            f"({SYSTEM_ONE_BASE_URL})."
        )
        self.fields["system_one_model"].help_text = f"Leave empty for {SYSTEM_ONE_MODEL}."
        if self.check_url:
            # A wrong endpoint fails the key's check too: check again when it changes.
            for name in ("azure_endpoint", "base_url"):
                self.fields[name].widget.attrs |= checked_on_blur(self.check_url)

    def provider_slug(self) -> str:
        return self.data.get("provider") or "openai"

    def payload(self) -> dict[str, Any]:
        """What PostHog's create takes: a provider's own fields only for that provider, and
        `set_as_active` only where PostHog allows it."""
        data = {
            "provider": self.cleaned_data["provider"],
            "name": self.cleaned_data["name"],
            "api_key": self.cleaned_data["api_key"],
        } | self.provider_config()
        if self.chosen_provider().can_be_active and self.cleaned_data["set_as_active"]:
            data["set_as_active"] = True
        return data


class ProviderKeyEditForm(ProviderKeyFormMixin):
    """Never the provider: PostHog refuses to change it. An empty API key keeps the current one."""

    name = forms.CharField(max_length=255)
    api_key = forms.CharField(
        label="New API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(API_KEY_ATTRS),
    )

    def __init__(self, *args, key: ProviderKey, **kwargs):
        self.key = key
        kwargs.setdefault(
            "initial",
            {
                "name": key.name,
                "azure_endpoint": key.azure_endpoint_display or "",
                "api_version": key.api_version_display or AZURE_DEFAULT_API_VERSION,
                "base_url": key.base_url_display or "",
                "system_one_model": key.system_one_model_display or "",
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["api_key"].widget.attrs["placeholder"] = (
            f"Leave empty to keep the current one ({key.api_key_masked})"
        )
        endpoint_help = (
            "Changing the endpoint or version without a new key resets the key's state to "
            "Unknown: validate it afterwards."
        )
        self.fields["azure_endpoint"].help_text = endpoint_help
        self.fields["base_url"].help_text = endpoint_help.replace(" or version", "")
        # An OpenAI-compatible key always has its endpoint: emptying the field is no way to keep it.
        self.fields["base_url"].required = self.chosen_provider().needs_base_url

    def provider_slug(self) -> str:
        return self.key.provider

    def requires_endpoint(self) -> bool:
        return not (self.key.azure_endpoint_display or self.key.base_url_display)

    def clean(self):
        cleaned = super().clean()
        # PostHog asks for the credential that goes with a new System One endpoint.
        if (
            self.chosen_provider().credential_optional
            and "base_url" in self.changed_data
            and not cleaned.get("api_key")
            and not self.clears_credential()
        ):
            self.add_error(
                "api_key",
                "Enter the credential for the new endpoint, or tick “This System One endpoint "
                "takes no credential”.",
            )
        return cleaned

    def changes(self) -> dict[str, Any]:
        """Only what the user changed: PostHog gets a PATCH with just these fields."""
        changed = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in ("name", "api_key") and self.cleaned_data[name]
        }
        changed |= {
            name: value
            for name, value in self.provider_config().items()
            if name in self.changed_data
        }
        return changed


class KeyCheckForm(forms.Form):
    """Pre-validation of a typed key (provider_key_validations); nothing is saved."""

    provider = forms.ChoiceField(choices=PROVIDER_CHOICES)
    api_key = forms.CharField(strip=True)
    azure_endpoint = forms.URLField(required=False, assume_scheme="https")
    api_version = forms.CharField(required=False, max_length=20)
    base_url = forms.URLField(required=False, assume_scheme="https")

    def clean(self):
        # PostHog's create checks the prefix, but its validation endpoint does not: check it
        # here too, so the check never accepts a key that saving then refuses.
        cleaned = super().clean()
        problem = format_problem(cleaned.get("provider") or "", cleaned.get("api_key") or "")
        if problem:
            self.add_error("api_key", problem)
        return cleaned

    def chosen_provider(self) -> ProviderInfo:
        return provider_info(self.cleaned_data["provider"])

    def check_fields(self) -> dict[str, Any]:
        """What provider_key_validations takes for this provider (its own fields only)."""
        fields = {
            "provider": self.cleaned_data["provider"],
            "api_key": self.cleaned_data["api_key"],
        }
        return fields | {
            name: self.cleaned_data[name]
            for name in self.chosen_provider().config_fields
            if name in self.fields and self.cleaned_data.get(name)
        }


def format_problem(provider: str, key: str) -> str:
    """PostHog's refusal of a key that lacks its provider's prefix, or "" for a key that has it
    (PostHog's validate_api_key; its validation endpoint does not check the prefix)."""
    info = provider_info(provider)
    if not key or not info.key_prefixes or key.startswith(info.key_prefixes):
        return ""
    prefixes = " or ".join(f"'{prefix}'" for prefix in info.key_prefixes)
    return f"Invalid {info.label} API key format. Key should start with {prefixes}."


class RotateForm(forms.Form):
    """A key's new secret (adminui/keys/rotate.py). Like every API key field: a password input
    that never shows what was typed, not even after a failure."""

    api_key = forms.CharField(
        label="New API key", strip=True, widget=forms.PasswordInput(API_KEY_ATTRS)
    )

    def __init__(self, *args, key: ProviderKey, environment: PostHogEnvironment, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        info = provider_info(key.provider)
        # PostHog's check without saving ignores a System One key's endpoint: storing checks it.
        self.checked_first = info.checked_before_saving
        use_field_templates(self, {"api_key": "keys/_api_key_field.html"})
        # Read by templates/keys/_api_key_field.html, which names the sandbox's test keys.
        self.sandbox = environment.sandbox
        self.fields["api_key"].widget.attrs["placeholder"] = info.key_placeholder
        self.fields["api_key"].help_text = (
            f"Create it at the provider first. It replaces {key.api_key_masked} once the "
            "provider accepts it."
        )

    def clean_api_key(self) -> str:
        secret = self.cleaned_data["api_key"]
        if problem := format_problem(self.key.provider, secret):
            raise forms.ValidationError(problem)
        return secret
