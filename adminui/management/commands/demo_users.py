from django.core.management.base import BaseCommand, CommandError

from adminui.accounts.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users


class Command(BaseCommand):
    help = "Create the sandbox-mode demo accounts (admin, editor, viewer)."

    def handle(self, *args, **options):
        try:
            ensure_demo_users()
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        names = ", ".join(DEMO_USERS)
        self.stdout.write(f"Demo accounts: {names} (password: {DEMO_PASSWORD})")
