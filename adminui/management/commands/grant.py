from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adminui.accounts.commands import (
    ROLE_CHOICES,
    configured_environment,
    role_called,
    user_called,
)
from adminui.accounts.grants import describe, set_default_role, set_environment_role


class Command(BaseCommand):
    help = (
        "Give a user a role. Without --environment: their default role (viewer, editor or "
        "admin), the role they have in every environment without a role of its own. With "
        "--environment SLUG: their role in that environment only, in place of the default; "
        "`none` there means no access (the environment is hidden from them). "
        "`manage.py revoke` takes roles away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", help=f"one of {ROLE_CHOICES} (any case)")
        parser.add_argument(
            "--environment", metavar="SLUG", help="an environment's slug, as in its URLs"
        )

    def handle(self, *args, username: str, role: str, environment: str | None, **options):
        user = user_called(username)
        granted = role_called(role)
        if environment is None:
            if granted is None:
                raise CommandError(
                    "`none` is for one environment (add --environment SLUG); to take away the "
                    f"default role run: manage.py revoke {username}"
                )
            set_default_role(user, granted)
        else:
            set_environment_role(user, configured_environment(environment), granted)
        if user.is_superuser:
            self.stderr.write(
                f"Note: {username} is a superuser, so an Admin everywhere whatever their roles."
            )
        self.stdout.write(describe(user))
