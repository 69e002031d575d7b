"""Django's admin for single sign-on links: read-only, because the identity provider decides."""

from __future__ import annotations

from django.http import HttpRequest

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
