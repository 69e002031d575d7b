"""Paging what PostHog pages itself, in each version of its answer."""

from __future__ import annotations

from adminui.integrations.loaders import remote_page

NAMES = [f"acme/repo-{index:02d}" for index in range(45)]


def test_the_newest_answer_pages_with_has_more_and_total():
    page = remote_page(NAMES[:20], number=1, per_page=20, has_more=True, total=45)
    assert page.has_next and page.num_pages == 3 and page.end_index == 20


def test_an_answer_with_only_a_total_still_knows_the_last_page():
    page = remote_page(NAMES[40:], number=3, per_page=20, has_more=None, total=45)
    assert not page.has_next and page.start_index == 41


def test_the_oldest_answer_is_searched_and_sliced_by_the_portal():
    page = remote_page(NAMES, number=2, per_page=20, has_more=None, total=None)
    assert list(page) == NAMES[20:40] and page.has_next and page.total == 45
    found = remote_page(NAMES, number=1, per_page=20, has_more=None, total=None, search="repo-1")
    assert list(found) == NAMES[10:20] and not found.has_next


def test_a_short_oldest_answer_offers_no_next_page():
    page = remote_page(NAMES[:5], number=1, per_page=20, has_more=None, total=None)
    assert not page.has_next and list(page) == NAMES[:5]
    assert list(remote_page(NAMES[:5], number=2, per_page=20, has_more=None, total=None)) == []
