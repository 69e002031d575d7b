"""Benchmark: the key list with a large inventory, against the sandbox over loopback.

PostHog's provider-key list has no filters, so the portal reads every page and searches, sorts
and pages itself. This measures what that costs as the inventory grows: upstream pages fetched,
time per list render (median and p95), and the peak Python memory of one render.

    .venv/bin/python bench/key_list.py [--keys 100 1000 3000] [--runs 15] [--latency-ms 20]

It prints numbers; it asserts nothing (timing belongs here, not in tests).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import grow_inventory

# Every render reads PostHog, past the list's short-lived copy (bench/pages.py times the copy).
FRESH = {"refresh": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every call")
    args = parser.parse_args()

    from adminui.sandbox.server import SandboxServer

    server = SandboxServer(port=0, latency=args.latency_ms / 1000).start()
    server.switch(throttles=False)  # PostHog's rate limits would answer 429 to the later runs
    client = django_client(server.url)
    print(f"key list benchmark: {args.runs} renders per size, +{args.latency_ms:g} ms per call")
    print(f"{'keys':>6} {'pages':>6} {'median ms':>10} {'p95 ms':>8} {'peak MiB':>9}  filter")
    try:
        for count in args.keys:
            grow_inventory(server, count)
            for query in ({}, {"q": "prod", "state": "ok", "o": "-created"}):
                report(server, client, count, query, args.runs)
    finally:
        server.stop()


def django_client(sandbox_url: str):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminui.settings")
    import django

    django.setup()
    # Not a request log line, nor the sandbox's deprecation notice, per render amid the table.
    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.DATABASES["default"]["NAME"] = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    settings.POSTHOG_HOST = sandbox_url
    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench")
    user.groups.add(Group.objects.get(name="Viewer"))
    client = Client()
    client.force_login(user)
    return client


def report(server, client, count: int, query: dict, runs: int) -> None:
    timings = []
    for _ in range(runs):
        server.requests.clear()
        started = time.perf_counter()
        response = client.get("/sandbox/keys/", query | FRESH)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    pages = sum("provider_keys" in path for _, path, _, _ in server.requests)
    tracemalloc.start()
    client.get("/sandbox/keys/", query | FRESH)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    p95 = statistics.quantiles(timings, n=20)[-1]
    label = "&".join(f"{k}={v}" for k, v in query.items()) or "(none)"
    print(
        f"{count:>6} {pages:>6} {statistics.median(timings):>10.1f} {p95:>8.1f} "
        f"{peak:>9.1f}  {label}"
    )


if __name__ == "__main__":
    main()
