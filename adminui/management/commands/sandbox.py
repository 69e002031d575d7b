"""`manage.py sandbox`: run the PostHog sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adminui.sandbox.server import SandboxServer


def parse_fault(spec: str) -> dict[str, Any]:
    """`"METHOD PATH_REGEX STATUS|nonjson|drop|latency=MS"` as keyword arguments of faults.add.

    METHOD may be `*` for any method, e.g. `"* evaluation_summary latency=1500"`.
    """
    try:
        method, path_regex, action = spec.split()
    except ValueError:
        raise CommandError(f"--fault wants 'METHOD PATH_REGEX ACTION', not {spec!r}.") from None
    fault: dict[str, Any] = {"path_regex": path_regex, "method": None if method == "*" else method}
    if action == "nonjson":
        fault["non_json"] = True
    elif action == "drop":
        fault["drop"] = True
    elif action.startswith("latency="):
        fault["latency"] = _number(action.removeprefix("latency="), spec) / 1000
    else:
        fault["status"] = int(_number(action, spec))
    return fault


def _number(text: str, spec: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(
            f"In --fault {spec!r}, the action must be a status, nonjson, drop or latency=MS."
        ) from None


class Command(BaseCommand):
    help = "Run the PostHog sandbox (a fake PostHog API with demo data) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
        parser.add_argument("--summary-delay", type=float, default=2.0, help="seconds per summary")
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar='"METHOD PATH_REGEX STATUS|nonjson|drop|latency=MS"',
            help="inject a fault (repeatable)",
        )
        parser.add_argument(
            "--legacy-integration-access",
            action="store_true",
            help="serve session-only integration actions (authorize, Google Ads, LinkedIn Ads, "
            "Twilio) to API keys, as older PostHog did; newest PostHog refuses them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        faults = [parse_fault(spec) for spec in options["fault"]]
        server = SandboxServer(
            options["host"],
            options["port"],
            summary_delay=options["summary_delay"],
            latency=options["latency_ms"] / 1000,
            legacy_integration_access=options["legacy_integration_access"],
            log_requests=options["verbosity"] > 1,
        )
        for fault in faults:
            server.faults.add(fault.pop("path_regex"), **fault)
        try:
            server.start()
        except OSError as error:
            where = f"{options['host']}:{options['port']}"
            raise CommandError(f"Cannot listen on {where}: {error}") from error
        self.stdout.write(f"PostHog sandbox running at {server.url} (Ctrl-C to stop)")
        projects = ", ".join(f"{p.project_id} {p.project_name}" for p in server.projects.values())
        self.stdout.write(f"Projects: {projects}")
        if faults:
            self.stdout.write(f"{len(faults)} fault(s) active; POST /_sandbox/reset clears them.")
        self.stdout.flush()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            self.stdout.write("PostHog sandbox stopped.")
