"""Benchmark: the portal under its production server adds next to nothing to PostHog's round trip.

Starts the PostHog sandbox in this process with `--latency-ms` added to every API call, and the
portal under gunicorn (deploy/gunicorn.conf.py) on a throwaway SQLite database with the local-
memory cache (bench/common.py: no PostgreSQL or Redis needed), signed in as a Viewer. Prints each
figure with its goal (issue 10):

  - page time / one direct PostHog round trip (p50) for the key list, a key page, the
    evaluations list and the integrations list, each read fresh from PostHog (?refresh=1),
    under the floor of any page: a signed-in request making that one call and drawing one
    line, bare or in the layout (bench/urls.py);
  - a re-filtered key list (its cached copy): p50 and PostHog calls;
  - throughput of the cached key list at concurrency 1, 10 and 50, with p50 and p95;
  - bytes on the wire (compressed): the key list's first load with its CSS and JS, htmx swaps;
  - new TCP connections to PostHog per 100 PostHog calls, per gunicorn worker;
  - the key list with 10,000 keys: first load, re-filtered, and the workers' peak memory.

    make bench          # or: .venv/bin/python bench/pages.py [--latency-ms 50] [--runs 20]

Numbers only; nothing here asserts (the mechanisms are tested in tests/).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from common import grow_inventory, p95, production_portal, start_sandbox, wire_bytes

from adminui.sandbox import demo

KEYS = "/sandbox/keys/"
# Signed in, one PostHog call (the one direct_round_trip times), almost nothing drawn.
FLOORS = {
    "floor: one line": "/sandbox/bench/floor/",
    "floor: in the layout": "/sandbox/bench/floor-in-the-layout/",
}
PAGES = {
    "key list": KEYS,
    "key page": f"{KEYS}{demo.KEY_CLAUDE}/",
    "evaluations list": "/sandbox/evaluations/",
    "integrations list": "/sandbox/integrations/",
}
REFILTERS = [
    {"q": "openai"},
    {"o": "-created"},
    {"state": "ok", "o": "name"},
    {"provider": "anthropic"},
    {"page_size": 5, "page": 2},
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to each call (50)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per figure (20)")
    parser.add_argument("--seconds", type=float, default=4.0, help="per throughput run (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per process (8)")
    return parser.parse_args()


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    args = parse_args()
    sandbox = start_sandbox(args.latency_ms / 1000)
    try:
        with production_portal(sandbox, workers=args.workers, threads=args.threads) as portal:
            print(
                f"Portal under gunicorn ({args.workers} workers x {args.threads} threads, SQLite,"
                f" local-memory cache); PostHog sandbox +{args.latency_ms:g} ms per call."
            )
            print(f"Load average at the start: {load_average()} (the machine may be shared).\n")
            round_trip = direct_round_trip(sandbox, args.runs)
            print(f"one direct PostHog round trip (p50)          {round_trip * 1000:7.1f} ms\n")
            page_ratios(portal, round_trip, args.runs)
            refiltered(portal, sandbox, args.runs)
            throughput(portal, args.seconds)
            on_the_wire(portal)
            connections(portal, sandbox, args.runs)
            large_inventory(portal, sandbox, args.runs)
            print(f"\nLoad average at the end: {load_average()}")
    finally:
        sandbox.stop()


def direct_round_trip(sandbox, runs: int) -> float:
    """One call to the sandbox on a kept-alive connection, as the portal's client makes it."""
    from adminui.sandbox.demo import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {DEMO_PERSONAL_API_KEY}"
    url = sandbox.api_url("llm_analytics/provider_keys/", project=DEMO_PROJECT_ID)
    session.get(url)
    return statistics.median(timed(lambda: session.get(url)) for _ in range(runs))


def page_ratios(portal, round_trip: float, runs: int) -> None:
    print("page time / one round trip, p50, read fresh (?refresh=1)      goal <= 1.10")
    for label, path in FLOORS.items():
        page_ratio(portal, label, path, round_trip, runs, goal=False)
    for label, path in PAGES.items():
        page_ratio(portal, label, path, round_trip, runs, refresh=1)
    print()


def page_ratio(
    portal, label: str, path: str, round_trip: float, runs: int, *, goal=True, **params
) -> None:
    portal.get(path, **params)  # warm: templates, both workers' connections
    portal.get(path, **params)
    samples = [timed(lambda: portal.get(path, **params)) for _ in range(runs)]
    ratio = statistics.median(samples) / round_trip
    print(
        f"  {label:<20} p50 {statistics.median(samples) * 1000:6.1f} ms  "
        f"p95 {p95(samples) * 1000:6.1f} ms  ratio {ratio:5.2f}"
        + (f"  {verdict(ratio <= 1.1)}" if goal else "  (what every page costs first)")
    )


def refiltered(portal, sandbox, runs: int) -> None:
    for _ in range(portal.workers * 2):
        portal.get(KEYS)  # each worker's local-memory copy
    before = len(sandbox.requests)
    samples = [
        timed(lambda q=query: portal.get(KEYS, htmx=True, **q))
        for _ in range(max(1, runs // len(REFILTERS)))
        for query in REFILTERS
    ]
    calls = len(sandbox.requests) - before
    median = statistics.median(samples) * 1000
    print("re-filtered key list (cached copy, htmx)     goal p50 <= 10 ms, 0 PostHog calls")
    print(
        f"  p50 {median:6.1f} ms  p95 {p95(samples) * 1000:6.1f} ms  PostHog calls {calls}  "
        f"{verdict(median <= 10 and calls == 0)}\n"
    )


def throughput(portal, seconds: float) -> None:
    print("throughput of the cached key list (full page)      goal >= 400 requests/s at best")
    best = 0.0
    for concurrency in (1, 10, 50):
        server_cpu, client_cpu = portal.cpu_seconds(), time.process_time()
        rate, samples = load(portal, KEYS, concurrency, seconds)
        best = max(best, rate)
        # What each request cost in CPU, the portal's and this client's (on the same cores),
        # and the rate that allows with every core free: a ceiling that shared load cannot move.
        server_ms = (portal.cpu_seconds() - server_cpu) * 1000 / len(samples)
        client_ms = (time.process_time() - client_cpu) * 1000 / len(samples)
        ceiling = (os.cpu_count() or 1) * 1000 / (server_ms + client_ms)
        print(
            f"  concurrency {concurrency:>2}: {rate:6.0f} requests/s  "
            f"p50 {statistics.median(samples) * 1000:6.1f} ms  p95 {p95(samples) * 1000:6.1f} ms"
            f"  CPU/request portal {server_ms:.1f} ms + client {client_ms:.1f} ms:"
            f" at most {ceiling:.0f}/s"
        )
    print(f"  best {best:.0f} requests/s  {verdict(best >= 400)}\n")


def load(portal, path: str, concurrency: int, seconds: float) -> tuple[float, list[float]]:
    """`concurrency` threads, each on its own kept-alive connection, for `seconds`. They use
    http.client, not requests: on these shared cores, requests' own CPU per call would be taken
    from the portal being measured (each figure prints what the client used)."""
    samples: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    where = urlsplit(portal.url)
    headers = dict(portal.session.headers)

    def client() -> None:
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        mine = []
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {path} answered HTTP {response.status}.")
                mine.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            with lock:
                failures.append(str(error) or type(error).__name__)
        finally:
            connection.close()
            with lock:
                samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:  # a figure from fewer clients than asked would mislead
        raise SystemExit(f"{len(failures)} of {concurrency} clients failed: {failures[0]}")
    return len(samples) / (time.perf_counter() - started), samples


def on_the_wire(portal) -> None:
    page = portal.get(KEYS)
    html = wire_bytes(portal.session, portal.url + KEYS)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.text)
    asset_bytes = sum(wire_bytes(portal.session, portal.url + asset) for asset in assets)
    total = (html + asset_bytes) / 1024
    print("bytes on the wire (compressed)                         goal first load <= 40 KB")
    print(
        f"  key list first load: HTML {html / 1024:.1f} KB + {len(assets)} CSS/JS files "
        f"{asset_bytes / 1024:.1f} KB = {total:.1f} KB  {verdict(total <= 40)}"
    )
    print("  htmx swaps                                                goal each <= 8 KB")
    github = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"
    detail = portal.get(github).text
    branches = re.search(r'hx-get="([^"]+)" hx-target="#panel-branches"', detail)
    swaps = {
        "key list sort": (f"{KEYS}?o=-created", "key-region"),
        "key list search": (f"{KEYS}?q=prod", "key-region"),
        "evaluations sort": ("/sandbox/evaluations/?o=name", "evaluation-region"),
        "integrations sort": ("/sandbox/integrations/?o=-created", "integration-region"),
        "repository branches": (branches[1].replace("&amp;", "&") if branches else "", ""),
    }
    for label, (path, target) in swaps.items():
        if not path:
            print(f"  {label:<22} (no branches link found)  MISSED")
            continue
        headers = {"HX-Request": "true", "HX-Target": target or "panel-branches"}
        size = wire_bytes(portal.session, portal.url + path, headers) / 1024
        print(f"  {label:<22} {size:5.1f} KB  {verdict(size <= 8)}")
    print()


def connections(portal, sandbox, runs: int) -> None:
    accepted, calls = sandbox.connections_accepted, len(sandbox.requests)
    for _ in range(runs * 5):
        for path in PAGES.values():
            portal.get(path, refresh=1)
    new = sandbox.connections_accepted - accepted
    calls = len(sandbox.requests) - calls
    per_worker = 100 * new / max(calls, 1)
    print(
        "upstream connections reused        goal <= 1 new TCP connection per 100 calls per worker"
    )
    print(
        f"  {calls} PostHog calls, {new} new connections over {portal.workers} workers: "
        f"{per_worker:.2f} per 100 calls  {verdict(per_worker <= 1)}\n"
    )


def large_inventory(portal, sandbox, runs: int) -> None:
    grow_inventory(sandbox, 10_000)
    first = [timed(lambda: portal.get(KEYS, refresh=1)) for _ in range(max(3, runs // 4))]
    for _ in range(portal.workers * 2):
        portal.get(KEYS)
    again = [timed(lambda: portal.get(KEYS, htmx=True, q="prod-0")) for _ in range(runs)]
    print("the key list with 10,000 keys                         (no goal: time and memory)")
    print(
        f"  read fresh p50 {statistics.median(first) * 1000:6.0f} ms  "
        f"re-filtered p50 {statistics.median(again) * 1000:6.1f} ms  "
        f"workers' peak memory {portal.worker_peak_memory_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()
