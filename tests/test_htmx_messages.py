"""Messages reach htmx answers as server-rendered toasts, swapped out of band into #toasts."""

from __future__ import annotations

from adminui.sandbox import demo
from tests.conftest import HTMX
from tests.summary_helpers import EVALUATION_URL

KEYS = "/sandbox/keys/"
OUT_OF_BAND = '<div hx-swap-oob="beforeend:#toasts">'


def test_a_failed_validation_is_an_error_toast_that_stays(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_OLD_ANTHROPIC}/validate/", headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert content.startswith(OUT_OF_BAND)
    assert '<div class="toast toast-error" role="alert" data-autohide>' in content
    assert "validation failed: Invalid API key." in content


def test_a_message_is_shown_once(editor_client):
    editor_client.post(f"{KEYS}{demo.KEY_TOGETHER}/validate/", headers=HTMX)
    assert "validated: valid" not in editor_client.get(KEYS).content.decode()


def test_a_fragment_carries_its_message_after_its_own_content(editor_client, sandbox):
    response = editor_client.post(f"{EVALUATION_URL}summarize/", {"filter": "all"}, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="summary-panel"')
    oob = content[content.index(OUT_OF_BAND) :]
    assert '<div class="toast toast-info" role="status" data-autohide>' in oob
    assert "Summary requested." in oob


def test_a_client_redirect_leaves_its_message_for_the_page_it_leads_to(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_TOGETHER}/delete/", headers=HTMX)
    assert response["HX-Redirect"] == KEYS
    assert OUT_OF_BAND not in response.content.decode()
    page = editor_client.get(KEYS).content.decode()
    assert "Key “Together AI batch” deleted." in page


def test_a_full_page_shows_its_messages_in_place_not_out_of_band(editor_client):
    response = editor_client.post(f"{KEYS}{demo.KEY_TOGETHER}/validate/", follow=True)
    content = response.content.decode()
    assert "Key “Together AI batch” validated: valid." in content
    assert OUT_OF_BAND not in content
