"""`manage.py check_keys [--environment SLUG]`: one key-health sweep now, for cron and tests.

Prints per environment what it checked, skipped, saw change and could not check. Exits 1 when
PostHog could not be reached for some environment (so cron mails someone), 2 when another
sweep is running.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adminui.keys.sweep import sweep
from adminui.posthog import get_environments
from adminui.posthog.retries import background


class Command(BaseCommand):
    help = "Validate every provider key now (one sweep), record changes and sync alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--environment", metavar="SLUG", help="Only this environment.")
        parser.add_argument(
            "--force", action="store_true", help="Also check keys validated a moment ago."
        )
        parser.add_argument(
            "--spread",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="Pause up to this long between keys (default 0: one after another).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["environment"]
        if slug and slug not in get_environments():
            known = ", ".join(get_environments())
            raise CommandError(f"No environment is called {slug!r} (there are: {known}).")
        with background():
            summaries = sweep(slug, spread=options["spread"], force=options["force"])
        if summaries is None:
            raise CommandError(
                "Another key sweep is running; try again when it ends.", returncode=2
            )
        for summary in summaries:
            line = (
                f"{summary.environment.slug}: {summary.checked} checked, "
                f"{summary.skipped} skipped, {summary.changed} changed, {summary.failed} failed"
            )
            if summary.failover:
                line += (
                    f"; failed over from “{summary.failover.from_key.name}” "
                    f"to “{summary.failover.to_key.name}”"
                )
            self.stdout.write(line)
            if summary.problem:
                self.stderr.write(f"{summary.environment.slug}: {summary.problem}")
        if any(not summary.reached_posthog for summary in summaries):
            raise CommandError("PostHog could not be reached for every environment.")
