from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from adminui.accounts.commands import configured_environment, user_called
from adminui.accounts.grants import describe, remove_environment_role, set_default_role


class Command(BaseCommand):
    help = (
        "Take a role away. Without --environment: the user's default role (roles of their own "
        "in given environments stay, so they see just those). With --environment SLUG: their "
        "role in that environment, so the default role applies there again (to hide an "
        "environment from them instead, run: manage.py grant USERNAME none --environment SLUG)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--environment", metavar="SLUG", help="an environment's slug, as in its URLs"
        )

    def handle(self, *args, username: str, environment: str | None, **options):
        user = user_called(username)
        if environment is None:
            set_default_role(user, None)
        elif not remove_environment_role(user, configured_environment(environment, user)):
            self.stdout.write(f"{username} had no role of their own in {environment}.")
        self.stdout.write(describe(user))
