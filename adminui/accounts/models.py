"""Which identity provider account each portal user signs in with."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """An account at an OpenID Connect provider, linked to one portal user.

    Sign-in matches on (issuer, subject), the identifier the provider promises never to reuse;
    never on the e-mail address, which an IdP may let a person change to someone else's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    # The groups the provider sent at the last sign-in, to explain the role it gave.
    last_groups = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "adminui"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_external_identity")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class EnvironmentRole(models.Model):
    """A user's role in one environment, in place of their default role (their role group), or
    no access to it at all. Keyed by the environment's slug, so a row outlives a change to the
    environments' configuration (the admin still shows it) and applies again if the slug returns.
    """

    class Access(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        EDITOR = "editor", "Editor"
        ADMIN = "admin", "Admin"
        NONE = "none", "No access"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="environment_roles"
    )
    environment = models.SlugField(max_length=64)
    role = models.CharField(max_length=8, choices=Access.choices)

    class Meta:
        app_label = "adminui"
        ordering = ["environment"]
        constraints = [
            models.UniqueConstraint(fields=["user", "environment"], name="unique_environment_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.environment}"
