"""Django's admin, for the Admin role: users, their roles (groups) and a read-only audit log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from adminui.accounts.admin import ExternalIdentityAdmin
from adminui.models import AuditEvent, ExternalIdentity
from adminui.web.roles import Role, has_role


class PortalAdminSite(admin.AdminSite):
    site_header = "adminui administration"
    site_title = "adminui admin"
    index_title = "Users and roles"

    def has_permission(self, request: HttpRequest) -> bool:
        # The Admin role, not Django's is_staff flag, opens the admin.
        return has_role(request.user, Role.ADMIN)


class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "environment", "action", "target_label", "outcome"]
    list_filter = ["outcome", "action", "environment"]
    search_fields = ["actor_name", "target_label", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


admin_site = PortalAdminSite(name="admin")
admin_site.register(User, UserAdmin)
admin_site.register(Group, GroupAdmin)
admin_site.register(AuditEvent, AuditEventAdmin)
admin_site.register(ExternalIdentity, ExternalIdentityAdmin)
