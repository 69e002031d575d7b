"""Security by default: CSP with no inline script or style, framing refused, no CDN;
and templates that cannot leak markup (inline code, unclosed comments)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEMPLATES


def test_pages_carry_a_strict_content_security_policy(viewer_client):
    response = viewer_client.get("/sandbox/keys/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_is_served_from_the_portal_itself(viewer_client):
    content = viewer_client.get("/sandbox/").content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', content)
    assert any("htmx" in src for src in sources)
    assert all(src.startswith("/static/") for src in sources), sources


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_have_no_inline_script_style_or_evaluated_handlers(template):
    text = template.read_text()
    assert not re.search(r"\sstyle=", text), "inline style attribute"
    assert "<style" not in text, "inline <style>"
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert not re.search(r"\s(hx-on|on[a-z]+)=", text), "inline event handler"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_template_comments_fit_on_one_line(template):
    # Django's {# #} comments end at the line; a longer one would be printed on the page.
    for number, line in enumerate(template.read_text().splitlines(), 1):
        assert "{#" not in line or "#}" in line, f"line {number}: use {{% comment %}}"
