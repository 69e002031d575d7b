"""How long the Overview takes against a slow PostHog: about one round trip, not one per card.

Starts the PostHog sandbox in this process with a latency fault on every API path, sets Django
up against it (an in-memory SQLite test database, a logged-in Viewer), renders the Overview
`--runs` times through Django's test client, and prints: the latency of one PostHog call, the
number of upstream calls per Overview, the median and p95 Overview time, and that time in round
trips. A sequential baseline (the same page with its calls made one after another) shows what
running them concurrently saves.

    make bench                                  # or: python bench/overview.py --runs 20
    python bench/overview.py --latency 0.5      # seconds added to every PostHog request

Numbers only; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Callable

from common import p95, start_sandbox


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="Overview renders to time (10)")
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds added to each PostHog call (0.2)"
    )
    return parser.parse_args()


def set_up_django(sandbox_port: int):
    """Django pointed at the in-process sandbox, with a throwaway database and a Viewer."""
    for name in [n for n in os.environ if n.startswith("POSTHOG_")] + ["DATABASE_URL"]:
        os.environ.pop(name, None)  # always the sandbox and a throwaway database, whatever is set
    os.environ["SANDBOX_PORT"] = str(sandbox_port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminui.settings")

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the sandbox's deprecation headers would log every run

    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)  # SQLite: in memory
    user = User.objects.create_user("bench")
    user.groups.add(Group.objects.get(name="Viewer"))
    client = Client()
    client.force_login(user)
    return client


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def sequential_gather(calls):
    """What the Overview would cost without `gather`: each call waits for the one before."""
    from adminui.web.concurrency import outcome_of

    return {name: outcome_of(call) for name, call in calls.items()}


def render_overview(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"The Overview answered HTTP {response.status_code}.")


def measure(client, sandbox, url: str, runs: int) -> tuple[list[float], int]:
    render_overview(client, url)  # warm up: templates, connection pool
    times, calls = [], []
    for _ in range(runs):
        before = len(sandbox.requests)
        times.append(timed(lambda: render_overview(client, url)))
        calls.append(len(sandbox.requests) - before)
    return times, max(calls)


def main() -> None:
    args = parse_args()
    sandbox = start_sandbox(args.latency)
    try:
        client = set_up_django(sandbox.port)
        from adminui.overview import views as overview
        from adminui.posthog import get_client, get_environment

        environment = get_environment()
        url = f"/{environment.slug}/"
        posthog = get_client(environment)
        posthog.get_evaluation_config()  # warm up the connection
        round_trips = [timed(posthog.get_evaluation_config) for _ in range(5)]
        round_trip = statistics.median(round_trips)

        concurrent, upstream_calls = measure(client, sandbox, url, args.runs)
        concurrent_gather = overview.gather
        overview.gather = sequential_gather
        try:
            sequential, _ = measure(client, sandbox, url, args.runs)
        finally:
            overview.gather = concurrent_gather
    finally:
        sandbox.stop()

    ms = 1000
    print(f"Overview benchmark: the PostHog sandbox with {args.latency * ms:.0f} ms added to every")
    print(f"API request, {args.runs} renders per mode through Django's test client.\n")
    print(f"  one PostHog call (median of 5)       {round_trip * ms:7.0f} ms")
    print(f"  upstream calls per Overview          {upstream_calls:7d}\n")
    print("  mode                      median       p95   round trips (median / one call)")
    for label, samples in [
        ("concurrent (gather)", concurrent),
        ("sequential baseline", sequential),
    ]:
        median = statistics.median(samples)
        print(
            f"  {label:<22} {median * ms:7.0f} ms {p95(samples) * ms:7.0f} ms"
            f"   {median / round_trip:5.2f}"
        )
    saved = statistics.median(sequential) / statistics.median(concurrent)
    print(f"\n  Running the calls concurrently makes the Overview {saved:.1f}x faster.")


if __name__ == "__main__":
    main()
