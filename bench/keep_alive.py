"""Benchmark: sequential calls on one kept-alive connection, as the portal makes them.

A server that writes headers and body separately, without TCP_NODELAY, makes a kept-alive client
wait for the delayed ACK (about 40 ms on Linux) on every answer. This prints what one
`list_provider_keys` call costs through the portal's own client (the pooled session).

    .venv/bin/python bench/keep_alive.py [--calls 10] [--rounds 5]

It prints numbers; it asserts nothing (tests/test_sandbox_wire.py checks the mechanism).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from adminui.posthog.client import PostHogClient
    from adminui.sandbox.demo import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID
    from adminui.sandbox.server import SandboxServer

    server = SandboxServer(port=0).start()
    client = PostHogClient(
        host=server.url,
        personal_api_key=DEMO_PERSONAL_API_KEY,
        project_id=DEMO_PROJECT_ID,
        api_prefix="projects",
    )
    try:
        client.list_provider_keys()  # open the connection
        means = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            for _ in range(args.calls):
                client.list_provider_keys()
            means.append((time.perf_counter() - started) * 1000 / args.calls)
        print(f"keep-alive: {args.calls} sequential list_provider_keys calls, {args.rounds} rounds")
        median, worst = statistics.median(means), max(means)
        print(f"  mean per call: median {median:.1f} ms, worst {worst:.1f} ms")
    finally:
        client.close()
        server.stop()


if __name__ == "__main__":
    main()
