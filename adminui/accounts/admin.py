"""Django's admin for the accounts area: single sign-on links (read-only, because the identity
provider decides) and roles per environment, edited on the user's page."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from adminui.accounts.models import EnvironmentRole
from adminui.posthog import get_environments
from adminui.web.admin import ReadOnlyAdmin
from adminui.web.roles import Role, has_role


class ExternalIdentityAdmin(ReadOnlyAdmin):
    """Who signs in with the provider, and the groups it sent last time (which gave the role)."""

    list_display = ["user", "subject", "issuer", "last_sign_in_at", "last_groups"]
    search_fields = ["user__username", "subject"]
    list_select_related = ["user"]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMIN)


class EnvironmentRoleForm(forms.ModelForm):
    """The environment is one of the configured slugs; a row for a slug no longer configured
    stays shown (and may be kept or deleted), marked so."""

    class Meta:
        model = EnvironmentRole
        fields = ["environment", "role"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(env.slug, f"{env.name} ({env.slug})") for env in get_environments().values()]
        current = self.instance.environment if self.instance.pk else ""
        if current and current not in get_environments():
            choices.append((current, f"{current} (no longer configured)"))
        self.fields["environment"] = forms.ChoiceField(
            choices=[("", "---------"), *choices], label="Environment"
        )


class EnvironmentRoleInline(admin.TabularInline):
    """On the user's page: their role in given environments, in place of the default role (the
    role group above); "No access" hides an environment. Superusers are Admins everywhere."""

    model = EnvironmentRole
    form = EnvironmentRoleForm
    extra = 0
    verbose_name = "role in one environment"
    verbose_name_plural = "Roles per environment (instead of the default role: the group above)"

    # The Admin role opens it, like the rest of the admin (the model has no group permissions).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request.user, Role.ADMIN)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission
