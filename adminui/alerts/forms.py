"""The Alerts screens' filters: a status tab, kind, severity, environment (across environments)
and a search over what the alert is about and what PostHog said."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from adminui.alerts.models import Alert
from adminui.posthog import PostHogEnvironment
from adminui.web.forms import use_field_templates

# The tabs; the first (the default) lists what is not resolved yet, acknowledged included.
STATUS_TABS = {
    "": "Unresolved",
    Alert.Status.OPEN: "Open",
    Alert.Status.ACKNOWLEDGED: "Acknowledged",
    Alert.Status.RESOLVED: "Resolved",
    "all": "All",
}


class AlertFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(
            {"placeholder": "Key, integration or message", "data-search": True}
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=list(STATUS_TABS.items()), widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Alert.Kind.choices])
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity"), *Alert.Severity.choices]
    )
    environment = forms.ChoiceField(required=False, label="Environment")

    def __init__(self, data: QueryDict, environments: list[PostHogEnvironment], *, across: bool):
        super().__init__(data)
        self.environments = environments
        if across:
            choices_field = self.fields["environment"]
            assert isinstance(choices_field, forms.ChoiceField)
            choices_field.choices = [
                ("", "All environments"),
                *((env.slug, env.name) for env in environments),
            ]
        else:
            del self.fields["environment"]
        # Every filter is optional: the field template need not say so on each.
        use_field_templates(self, dict.fromkeys(self.fields, "audit/_filter_field.html"))

    @property
    def chosen_status(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""

    def alerts(self) -> QuerySet[Alert]:
        """The alerts of the given environments that the valid filters keep."""
        alerts = self.filtered()
        status = self.cleaned_data.get("status", "")
        if status == "":
            return alerts.exclude(status=Alert.Status.RESOLVED)
        if status != "all":
            return alerts.filter(status=status)
        return alerts

    def filtered(self) -> QuerySet[Alert]:
        """The alerts the valid filters keep, whatever the status tab (which counts them)."""
        self.is_valid()
        data = self.cleaned_data
        slugs = [env.slug for env in self.environments]
        if data.get("environment"):
            slugs = [data["environment"]]
        alerts = Alert.objects.filter(environment__in=slugs)
        if data.get("kind"):
            alerts = alerts.filter(kind=data["kind"])
        if data.get("severity"):
            alerts = alerts.filter(severity=data["severity"])
        if text := data.get("q", "").strip():
            alerts = alerts.filter(
                Q(subject_label__icontains=text) | Q(subject_id=text) | Q(message__icontains=text)
            )
        return alerts


def status_tabs(form: AlertFilterForm) -> list[tuple[str, str, int]]:
    """Each status tab, with how many alerts it holds under the other filters."""
    counts = dict.fromkeys(STATUS_TABS, 0)
    for row in form.filtered().order_by().values("status").annotate(count=Count("id")):
        counts[row["status"]] = row["count"]
        counts["all"] += row["count"]
        if row["status"] != Alert.Status.RESOLVED:
            counts[""] += row["count"]
    return [(status, label, counts[status]) for status, label in STATUS_TABS.items()]
