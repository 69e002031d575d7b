"""The form that asks for an AI summary, and the generation ids pasted into it."""

from __future__ import annotations

import uuid

from django import forms

from adminui.models import SummaryRequest

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
