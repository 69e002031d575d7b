"""Two PostHog environments, Production (in red) and Staging, both on the sandbox's project
4242 (the same demo data), installed in the environments registry for a test. Where the data
must differ, conftest's `two_environments` fixture reads a real environments file on the
sandbox's two projects; `installed` also takes variants such as an `unreachable` one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from adminui.demo_project import DEMO_PERSONAL_API_KEY
from adminui.posthog import PostHogEnvironment
from adminui.posthog import environments as registry


def environment(slug: str, name: str, host: str, colour: str = "") -> PostHogEnvironment:
    return PostHogEnvironment(
        slug=slug,
        name=name,
        host=host,
        project_id=4242,
        api_prefix="auto",
        personal_api_key=DEMO_PERSONAL_API_KEY,
        sandbox=False,
        connect_timeout=3.05,
        read_timeout=15.0,
        llm_read_timeout=90.0,
        colour=colour,
    )


@contextmanager
def installed(*configured: PostHogEnvironment) -> Iterator[list[PostHogEnvironment]]:
    """Make `configured` the portal's environments (after the test's POSTHOG_* settings: a change
    to one of those clears the registry)."""
    registry.clear_caches()
    with registry._lock:
        registry._environments = {env.slug: env for env in configured}
    try:
        yield list(configured)
    finally:
        registry.clear_caches()


def production_and_staging(sandbox) -> tuple[PostHogEnvironment, PostHogEnvironment]:
    return (
        environment("prod", "Production", sandbox.url, colour="red"),
        environment("staging", "Staging", sandbox.url),
    )


def unreachable(env: PostHogEnvironment, port: int) -> PostHogEnvironment:
    """The same environment, its PostHog nowhere to be reached (nothing listens on `port`)."""
    return replace(env, host=f"http://127.0.0.1:{port}")
