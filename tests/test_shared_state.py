"""What one instance learns, every instance shows (the cache is shared in production)."""

from __future__ import annotations

from adminui.ops.shared import deprecation_notice
from adminui.posthog import clear_caches, get_client, get_environment


def test_a_deprecation_notice_seen_by_one_instance_is_shown_by_all(admin_client, sandbox, settings):
    settings.POSTHOG_API_PREFIX = "environments"  # pinned: the notice asks an admin to act
    environment = get_environment()
    get_client(environment).get_evaluation_config()  # this "instance" sees the headers...
    seen = get_client(environment).deprecation
    assert seen is not None
    assert deprecation_notice(environment) == seen  # ...and an admin's page shows it
    clear_caches()  # another process: a client that has not called PostHog yet
    assert get_client(get_environment()).deprecation is None
    assert deprecation_notice(get_environment()) == seen
    assert b"marks the <code>/api/environments/</code> paths" in admin_client.get("/audit/").content
