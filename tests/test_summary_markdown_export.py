"""The Markdown export carries text from PostHog (and people's names) as literal text: rendered by a
Markdown reader it makes no HTML element, link or image, whatever PostHog sent."""

from __future__ import annotations

import pytest
from django.utils import timezone
from markdown_it import MarkdownIt

from adminui.models import SummaryRequest
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from tests.summary_helpers import EVALUATION_URL

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(document.cookie)</script>",
    '<a href="https://evil.example/">Open the report</a>',
    "[Open the report](javascript:alert(1))",
    "![tracking](https://evil.example/pixel.png)",
    "<https://evil.example/autolink>",
    "[ref]\n\n[ref]: https://evil.example/reference",
    "line one\n<iframe src=https://evil.example/></iframe>",
    "`</code><script>alert(1)</script>`",
    "| fake | table |\n|---|---|\n| a | b |",
    "# Pretend heading\n- fake item",
]

# The reader's own markup for an export: headings, lists, quotes, a table, code spans.
ALLOWED_TAGS = {
    "h1", "h2", "h3", "p", "ul", "ol", "li", "blockquote", "strong", "code",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def hostile_summary(editor, payload: str) -> SummaryRequest:
    pattern = {
        "title": payload,
        "description": payload,
        "frequency": payload,
        "example_reasoning": payload,
        "example_generation_ids": [payload],
    }
    now = timezone.now()
    return SummaryRequest.objects.create(
        requested_by=editor,
        requested_by_name=payload,
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name=payload,
        status=SummaryRequest.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
        result={
            "overall_assessment": payload,
            "pass_patterns": [pattern],
            "fail_patterns": [pattern],
            "na_patterns": [pattern],
            "recommendations": [payload, payload],
            "statistics": {"total_analyzed": 3, "pass_count": 1, "fail_count": 1, "na_count": 1},
        },
    )


def rendered_tags(markdown: str) -> list[str]:
    """The HTML elements a CommonMark reader (raw HTML allowed, like most) makes of the export,
    one entry per element opened."""
    reader = MarkdownIt("commonmark", {"html": True}).enable("table")
    reader.validateLink = lambda url: True  # as careless as the worst reader: javascript: links too
    tags = []
    for token in reader.parse(markdown):
        for inline in [token, *(token.children or [])]:
            if inline.type in ("html_block", "html_inline"):
                tags.append("raw-html")
            elif inline.tag and inline.nesting >= 0:
                tags.append(inline.tag)
    return tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_from_posthog_renders_as_text_never_as_html_links_or_images(
    viewer_client, editor, payload
):
    summary = hostile_summary(editor, payload)
    response = viewer_client.get(f"{EVALUATION_URL}summaries/{summary.pk}/export.md")
    markdown = response.content.decode()
    tags = rendered_tags(markdown)
    assert set(tags) <= ALLOWED_TAGS, f"{payload!r} became {set(tags) - ALLOWED_TAGS}"
    # Nor does it add structure: one title, one statistics table, no headings or lists of its own.
    assert tags.count("h1") == 1 and tags.count("table") == 1
    assert tags.count("ul") == 1 and tags.count("ol") == 1


def test_escaped_text_still_reads_as_what_posthog_said(viewer_client, editor):
    summary = hostile_summary(editor, "<b>Bold</b> & [brackets]")
    markdown = viewer_client.get(f"{EVALUATION_URL}summaries/{summary.pk}/export.md")
    html = MarkdownIt("commonmark").render(markdown.content.decode())
    assert "<h1>AI summary: &lt;b&gt;Bold&lt;/b&gt; &amp; [brackets]</h1>" in html


def test_a_failed_summarys_message_is_escaped_too(viewer_client, editor):
    now = timezone.now()
    summary = SummaryRequest.objects.create(
        requested_by=editor,
        requested_by_name="eddie",
        environment="sandbox",
        evaluation_id=EVAL_ANSWER_RELEVANCE,
        evaluation_name="Answer relevance",
        status=SummaryRequest.Status.FAILED,
        started_at=now,
        finished_at=now,
        error_kind="validation",
        error_message=PAYLOADS[0],
    )
    markdown = viewer_client.get(f"{EVALUATION_URL}summaries/{summary.pk}/export.md")
    assert set(rendered_tags(markdown.content.decode())) <= ALLOWED_TAGS
