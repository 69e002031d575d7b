"""Forms for adding, editing and checking provider keys."""

from __future__ import annotations

from django import forms

from adminui.keys.providers import AZURE_DEFAULT_API_VERSION, PROVIDERS, provider_info
from adminui.posthog.keys import ProviderKey

PROVIDER_CHOICES = [(slug, info.label) for slug, info in PROVIDERS.items()]


class ProviderKeyFormMixin(forms.Form):
    """The fields PostHog takes for Azure OpenAI, and the rule that ties them to the provider."""

    azure_endpoint = forms.URLField(
        required=False,
        label="Azure endpoint",
        assume_scheme="https",
        widget=forms.URLInput({"placeholder": "https://my-resource.openai.azure.com/"}),
    )
    api_version = forms.CharField(
        required=False, max_length=20, label="API version", initial=AZURE_DEFAULT_API_VERSION
    )

    def provider_slug(self) -> str:
        raise NotImplementedError

    def key_placeholder(self) -> str:
        return provider_info(self.provider_slug()).key_placeholder

    def clean(self):
        cleaned = super().clean()
        if (
            provider_info(self.provider_slug()).needs_azure_fields
            and not cleaned.get("azure_endpoint")
            and self.requires_azure_endpoint()
        ):
            self.add_error("azure_endpoint", "Azure endpoint is required for Azure OpenAI.")
        return cleaned

    def requires_azure_endpoint(self) -> bool:
        return True


class ProviderKeyCreateForm(ProviderKeyFormMixin):
    provider = forms.ChoiceField(choices=PROVIDER_CHOICES, initial="openai")
    name = forms.CharField(
        max_length=255, widget=forms.TextInput({"placeholder": "e.g. Production key"})
    )
    api_key = forms.CharField(
        label="API key", strip=True, widget=forms.PasswordInput({"autocomplete": "off"})
    )
    set_as_active = forms.BooleanField(required=False, label="Use for evaluations")

    field_order = ["provider", "name", "api_key", "azure_endpoint", "api_version", "set_as_active"]

    def provider_slug(self) -> str:
        return self.data.get("provider") or "openai"

    def payload(self) -> dict:
        """What PostHog's create takes; the Azure fields only for Azure OpenAI."""
        data = dict(self.cleaned_data)
        if not provider_info(data["provider"]).needs_azure_fields:
            data.pop("azure_endpoint", None)
            data.pop("api_version", None)
        return {name: value for name, value in data.items() if value not in ("", None)}


class ProviderKeyEditForm(ProviderKeyFormMixin):
    name = forms.CharField(max_length=255)
    api_key = forms.CharField(
        label="New API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput({"autocomplete": "off"}),
    )

    def __init__(self, *args, key: ProviderKey, **kwargs):
        self.key = key
        kwargs.setdefault(
            "initial",
            {
                "name": key.name,
                "azure_endpoint": key.azure_endpoint_display or "",
                "api_version": key.api_version_display or AZURE_DEFAULT_API_VERSION,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["api_key"].widget.attrs["placeholder"] = (
            f"Leave empty to keep the current one ({key.api_key_masked})"
        )

    def provider_slug(self) -> str:
        return self.key.provider

    def requires_azure_endpoint(self) -> bool:
        return not self.key.azure_endpoint_display

    def changes(self) -> dict[str, str]:
        """Only what the user changed: PostHog gets a PATCH with just these fields."""
        changed = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in ("name", "api_key") and self.cleaned_data[name]
        }
        if self.key.is_azure:
            for name in ("azure_endpoint", "api_version"):
                if name in self.changed_data and self.cleaned_data[name]:
                    changed[name] = self.cleaned_data[name]
        return changed


class KeyCheckForm(forms.Form):
    """Pre-validation of a typed key (provider_key_validations); nothing is saved."""

    provider = forms.ChoiceField(choices=PROVIDER_CHOICES)
    api_key = forms.CharField(strip=True)
    azure_endpoint = forms.URLField(required=False, assume_scheme="https")
    api_version = forms.CharField(required=False, max_length=20)

    def clean(self):
        # PostHog's create checks the prefix, but its validation endpoint does not: check it
        # here too, so the check never accepts a key that saving then refuses.
        cleaned = super().clean()
        info = provider_info(cleaned.get("provider") or "")
        key = cleaned.get("api_key") or ""
        if key and info.key_prefixes and not key.startswith(info.key_prefixes):
            prefixes = " or ".join(f"'{prefix}'" for prefix in info.key_prefixes)
            self.add_error(
                "api_key",
                f"Invalid {info.label} API key format. Key should start with {prefixes}.",
            )
        return cleaned
