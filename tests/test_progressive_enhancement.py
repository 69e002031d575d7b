"""Every page works without JavaScript: each htmx link or form is also a real link or form."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEMPLATES

TAG = re.compile(r"<(a|form|button)\b[^>]*>", re.DOTALL)
NEEDED = {"a": "href=", "form": "action=", "button": "formaction="}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_htmx_links_have_an_href_and_htmx_forms_an_action(template):
    for match in TAG.finditer(template.read_text()):
        tag, name = match.group(0), match.group(1)
        if not re.search(r"\shx-(get|post)=", tag):
            continue
        assert NEEDED[name] in tag, tag


def test_the_key_list_works_as_plain_html(viewer_client):
    content = viewer_client.get("/sandbox/keys/", {"o": "-name"}).content.decode()
    # Sorting, paging and filtering are plain links and a GET form.
    assert 'href="?o=name"' in content
    assert '<form class="toolbar" method="get" action="/sandbox/keys/"' in content
