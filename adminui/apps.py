"""The portal's Django app."""

from __future__ import annotations

from django.apps import AppConfig


class AdminuiConfig(AppConfig):
    name = "adminui"

    def ready(self) -> None:
        # Stamps every new login with its time and session epoch (user_logged_in).
        from adminui.accounts import sessions  # noqa: F401

        # Counts the navigation's open alerts again after any alert changes (post_save).
        from adminui.alerts import service  # noqa: F401
