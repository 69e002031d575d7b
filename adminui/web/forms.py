"""How forms render: every `{{ form.field.as_field_group }}` uses the project's field template."""

from __future__ import annotations

from django.forms import BaseForm
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Renders with the project's template engine, so templates/forms/ is found (Django's own
    widget templates come from `django.forms` in INSTALLED_APPS)."""

    field_template_name = "forms/field.html"


def use_field_templates(form: BaseForm, templates: dict[str, str]) -> None:
    """Give some fields of `form` their own template, one that extends forms/field.html."""
    for name, template_name in templates.items():
        # Django has Field.template_name since 5.0; django-stubs does not declare it yet.
        form.fields[name].template_name = template_name  # type: ignore[attr-defined]
