"""Forms for adding, editing and checking provider keys."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from adminui.keys.providers import AZURE_DEFAULT_API_VERSION, PROVIDERS, provider_info
from adminui.posthog import PostHogEnvironment
from adminui.posthog.keys import ProviderKey
from adminui.web.forms import use_field_templates

PROVIDER_CHOICES = [(slug, info.label) for slug, info in PROVIDERS.items()]
FIELD_TEMPLATES = {
    "api_key": "keys/_api_key_field.html",
    "azure_endpoint": "keys/_azure_field.html",
    "api_version": "keys/_azure_field.html",
}
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

    def __init__(self, *args, environment: PostHogEnvironment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        use_field_templates(self, FIELD_TEMPLATES)
        # The sandbox's test keys are named under the field (templates/keys/_api_key_field.html).
        self.sandbox = bool(environment and environment.sandbox)
        self.check_url = reverse("key-check", args=[environment]) if environment else ""
        api_key = self.fields["api_key"].widget
        api_key.attrs.setdefault("placeholder", self.key_placeholder())
        if self.check_url:
            api_key.attrs |= checked_on_blur(self.check_url)

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

    field_order = ["provider", "name", "api_key", "azure_endpoint", "api_version", "set_as_active"]

    def __init__(self, *args, environment: PostHogEnvironment | None = None, **kwargs):
        super().__init__(*args, environment=environment, **kwargs)
        version_help = f"Azure OpenAI only. PostHog's default is {AZURE_DEFAULT_API_VERSION}."
        self.fields["api_version"].help_text = version_help
        if self.check_url:
            # A wrong endpoint fails the key's check too: check again when it changes.
            self.fields["azure_endpoint"].widget.attrs |= checked_on_blur(self.check_url)

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
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["api_key"].widget.attrs["placeholder"] = (
            f"Leave empty to keep the current one ({key.api_key_masked})"
        )
        self.fields["azure_endpoint"].help_text = (
            "Changing the endpoint or version without a new key resets the key's state to "
            "Unknown: validate it afterwards."
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
