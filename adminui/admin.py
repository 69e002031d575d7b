"""Django's admin, for the Admin role: users, their default roles (groups) and roles per
environment, a read-only audit log, and failed logins; an Admin unlocks a locked-out user from
the user list."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset as reset_login_failures
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest

from adminui.accounts.admin import EnvironmentRoleInline, ExternalIdentityAdmin
from adminui.accounts.sessions import log_out_everywhere
from adminui.models import AuditEvent, ExternalIdentity
from adminui.web.admin import ReadOnlyAdmin
from adminui.web.roles import Role, has_role


class PortalAdminSite(admin.AdminSite):
    site_header = "adminui administration"
    site_title = "adminui admin"
    index_title = "Users and roles"

    def has_permission(self, request: HttpRequest) -> bool:
        # The Admin role, not Django's is_staff flag, opens the admin.
        return has_role(request.user, Role.ADMIN)


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "environment", "action", "target_label", "outcome"]
    list_filter = ["outcome", "action", "environment"]
    search_fields = ["actor_name", "target_label", "target_id"]


class PortalUserAdmin(UserAdmin):
    actions = ["unlock_login", "log_out_everywhere"]
    inlines = [EnvironmentRoleInline]

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list:
        # Adding a user is Django's short first step (username, password); roles come next.
        return self.inlines if obj is not None else []

    @admin.action(description="Unlock login (forget failed login attempts)")
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # By account; an address is unlocked by deleting its row under "Access attempts".
        for user in queryset:
            reset_login_failures(username=user.get_username())
        self.message_user(
            request, f"Unlocked login for {queryset.count()} user(s).", messages.SUCCESS
        )

    @admin.action(description="Log out everywhere (end all their sessions)")
    def log_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            log_out_everywhere(user)
        self.message_user(
            request,
            f"Logged out {queryset.count()} user(s) on every device.",
            messages.SUCCESS,
        )


class PortalAccessAttemptAdmin(AccessAttemptAdmin):
    """Failed logins per account and address; deleting a row unlocks it. The Admin role opens
    it, like the rest of the admin (axes' models get no group permissions)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request.user, Role.ADMIN)


admin_site = PortalAdminSite(name="admin")
admin_site.register(User, PortalUserAdmin)
admin_site.register(AccessAttempt, PortalAccessAttemptAdmin)
admin_site.register(Group, GroupAdmin)
admin_site.register(AuditEvent, AuditEventAdmin)
admin_site.register(ExternalIdentity, ExternalIdentityAdmin)
