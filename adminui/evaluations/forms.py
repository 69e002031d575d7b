"""The evaluation page's forms: asking for an AI summary (and the generation ids pasted into
it), and the key and model an LLM judge runs with."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from adminui.keys.namesakes import repeated_names, same_name
from adminui.keys.providers import key_state_label, provider_label
from adminui.models import SummaryRequest
from adminui.posthog import Evaluation, PostHogError, PostHogValidationError, ProviderKey
from adminui.web.errors import add_to_form

MAX_GENERATION_IDS = 250  # PostHog's EVALUATION_SUMMARY_MAX_RUNS


class SummaryForm(forms.Form):
    filter = forms.ChoiceField(
        choices=SummaryRequest.Filter.choices,
        initial=SummaryRequest.Filter.ALL,
        widget=forms.RadioSelect,
        label="Runs to summarise",
    )
    generation_ids = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
        label="Only these generations",
        help_text=(
            f"Optional. Generation ids (UUIDs), one per line or comma-separated, at most "
            f"{MAX_GENERATION_IDS}. Empty: PostHog reads the {MAX_GENERATION_IDS} most recent runs."
        ),
    )
    force_refresh = forms.BooleanField(
        required=False,
        label="Regenerate (skip PostHog's one-hour cache)",
    )

    def clean_generation_ids(self) -> list[str]:
        return parse_generation_ids(self.cleaned_data["generation_ids"])


def parse_generation_ids(text: str) -> list[str]:
    """Pasted ids (lines and/or commas) as normalised UUIDs, duplicates dropped, in order.

    Raises ValidationError naming each bad line, or saying how many ids are too many.
    """
    ids: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for value in (part.strip() for part in line.split(",")):
            if not value:
                continue
            try:
                ids.append(str(uuid.UUID(value)))
            except ValueError:
                problems.append(
                    f"Line {number}: “{_shorten(value)}” is not a generation id (UUID)."
                )
    if problems:
        raise forms.ValidationError(problems)
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_GENERATION_IDS:
        raise forms.ValidationError(
            f"You pasted {len(unique)} generation ids; PostHog summarises at most "
            f"{MAX_GENERATION_IDS} runs at a time. Remove {len(unique) - MAX_GENERATION_IDS}."
        )
    return unique


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# PostHog's attr (exceptions-hog joins nested fields with "__") -> the field it is about.
FIELD_FOR_ATTR = {
    "model_configuration": "provider_key",
    "model_configuration__provider": "provider_key",
    "model_configuration__provider_key_id": "provider_key",
    "model_configuration__model": "model",
    "enabled": "enable",
}


def key_choice_label(key: ProviderKey, name_repeats: bool) -> str:
    """A key as the judge's picker names it; a name that repeats is told apart by its masked key."""
    name = [key.name, key.api_key_masked] if name_repeats else [key.name]
    return " · ".join([*name, provider_label(key.provider), key_state_label(key.state)])


class JudgeForm(forms.Form):
    """The key and model an LLM judge runs with; the provider is the chosen key's."""

    provider_key = forms.ChoiceField(label="Provider key")
    model = forms.CharField(
        max_length=100, label="Model", widget=forms.TextInput(attrs={"class": "mono"})
    )
    enable = forms.BooleanField(required=False, label="Also turn the evaluation on")

    def __init__(self, *args: Any, keys: list[ProviderKey], evaluation: Evaluation, **kwargs: Any):
        config = evaluation.model_configuration
        kwargs.setdefault(
            "initial",
            {
                "provider_key": config.provider_key_id if config else "",
                "model": config.model if config else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.keys = {key.id: key for key in keys}
        choice = self.fields["provider_key"]
        assert isinstance(choice, forms.ChoiceField)
        repeated = repeated_names(key.name for key in keys)
        choice.choices = [("", "Choose a key…")] + [
            (key.id, key_choice_label(key, same_name(key.name) in repeated)) for key in keys
        ]
        if evaluation.enabled:
            del self.fields["enable"]

    def changes(self) -> dict[str, Any]:
        key = self.keys[self.cleaned_data["provider_key"]]
        changes: dict[str, Any] = {
            "model_configuration": {
                "provider": key.provider,
                "model": self.cleaned_data["model"].strip(),
                "provider_key_id": key.id,
            }
        }
        if self.cleaned_data.get("enable"):
            changes["enabled"] = True
        return changes


def place_on_form(form: forms.Form, error: PostHogError) -> None:
    """PostHog's complaint on the field it names (see `add_to_form`)."""
    if isinstance(error, PostHogValidationError):
        error.field_errors = {
            FIELD_FOR_ATTR.get(name, name): field_messages
            for name, field_messages in error.field_errors.items()
        }
    add_to_form(form, error)
