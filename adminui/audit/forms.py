"""The audit log's filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import QueryDict

from adminui.models import ACTION_FILTER_LABELS, AuditEvent
from adminui.web.forms import use_field_templates
from adminui.web.roles import roles_of


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
    environment = forms.CharField(required=False, widget=forms.HiddenInput)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


def audit_events(
    params: QueryDict, user: User | AnonymousUser
) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    """The filtered events of the environments `user` sees (hidden ones show nowhere)."""
    form = AuditFilterForm(params)
    events = AuditEvent.objects.filter(roles_of(user).visible_q("environment"))
    return form, form.filter(events.select_related("actor"))
