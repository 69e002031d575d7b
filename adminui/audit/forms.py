"""The audit log's filters, and which events a user may read at all: those of the environments
they may see, and, for Admins only, those of environments no longer configured."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import QueryDict

from adminui.models import ACTION_FILTER_LABELS, AuditEvent
from adminui.posthog import get_environments
from adminui.web.forms import use_field_templates
from adminui.web.roles import Role, role_of, visible_environments


def unconfigured_name(slug: str) -> str:
    """How the log names an environment the portal no longer manages (only Admins see it)."""
    return f"{slug} (no longer configured)"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        required=False,
        label="Who",
        widget=forms.SearchInput({"placeholder": "username", "data-search": True}),
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *ACTION_FILTER_LABELS.items()], label="Action"
    )
    target = forms.CharField(
        required=False, label="Target", widget=forms.SearchInput({"placeholder": "name or id"})
    )
    environment = forms.ChoiceField(required=False, label="Environment")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, environments: dict[str, str], **kwargs):
        """`environments`: the slugs the user may filter by, with the names to show."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["environment"])
        field.choices = [("", "Any environment"), *environments.items()]
        # Every filter is optional: the field template need not say so on each.
        use_field_templates(self, dict.fromkeys(self.fields, "audit/_filter_field.html"))

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Apply the valid filters to a queryset of AuditEvent."""
        # The valid filters apply even when another is not (`ignored` names it for the page).
        self.is_valid()
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_name__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("target"):
            target = data["target"]
            events = events.filter(target_label__icontains=target) | events.filter(target_id=target)
        if data.get("environment"):
            events = events.filter(environment=data["environment"])
        if data.get("since"):
            events = events.filter(created_at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(created_at__date__lte=data["until"])
        return events

    def ignored(self) -> list[str]:
        """The filters not applied, with what was given and why, e.g. a date that is not one."""
        return [
            f"{self[name].label} “{self.data.get(name, '')}”: {' '.join(map(str, errors))}"
            for name, errors in self.errors.items()
            if name in self.fields
        ]


def readable_environments(user: User | AnonymousUser) -> dict[str, str]:
    """The environments whose events `user` may read, slug to name: the ones they may see, and
    for an Admin, every environment named in the log that is no longer configured."""
    readable = {env.slug: env.name for env in visible_environments(user)}
    if role_of(user) == Role.ADMIN:
        gone = (
            AuditEvent.objects.exclude(environment__in=list(get_environments()))
            .values_list("environment", flat=True)
            .distinct()
            .order_by("environment")
        )
        readable |= {slug: unconfigured_name(slug) for slug in gone}
    return readable


def audit_events(
    params: QueryDict, user: User | AnonymousUser
) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    """The filter form and the events it selects among those `user` may read."""
    readable = readable_environments(user)
    form = AuditFilterForm(params, environments=readable)
    events = AuditEvent.objects.filter(environment__in=list(readable)).select_related("actor")
    return form, form.filter(events)
