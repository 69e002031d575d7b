"""In a real Chromium: a key the sandbox turned invalid shows on its page as a timeline, and the
key list's "Changed" filter finds it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from adminui.keys.models import KeyStateChange
from adminui.keys.sweep import sweep
from adminui.sandbox.demo import KEY_CLAUDE
from tests.browser import log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_key_page_tells_how_long_a_key_was_valid_and_since_when_it_fails(
    page, viewer, quick_checks, snapshots, sandbox
):
    sweep()
    KeyStateChange.objects.filter(key_id=KEY_CLAUDE).update(at=timezone.now() - timedelta(days=41))
    sandbox.provider_answer(KEY_CLAUDE, "quota")
    sweep()
    since = timezone.localtime(KeyStateChange.objects.filter(key_id=KEY_CLAUDE).first().at)

    log_in(page, "vic", PASSWORD)
    page.goto("/sandbox/keys/")
    page.get_by_label("Changed").select_option("24h")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Claude judges", exact=True).click()

    timeline = page.get_by_role("region", name="State over time")
    current, earlier = timeline.locator("li").nth(0), timeline.locator("li").nth(1)
    expect(current).to_contain_text(f"Error since {since:%H:%M}, “You exceeded your current quota")
    expect(current).to_contain_text("Quota or credits exhausted.")
    expect(current).to_contain_text("Add credits or raise the spending limit")
    expect(current).to_contain_text("Changed from Valid by the scheduled check")
    expect(earlier).to_contain_text("Valid for 1 month")
    expect(earlier).to_contain_text("First seen by the scheduled check")
    screenshot(page, "key-timeline-desktop-light")
