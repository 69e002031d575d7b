"""A key's own page: every field, what uses it, the models it reaches, and its history."""

from __future__ import annotations

from adminui.models import AuditEvent
from adminui.sandbox import demo

URL = f"/sandbox/keys/{demo.KEY_PRODUCTION_OPENAI}/"


def test_it_shows_the_key_its_evaluations_models_and_active_tag(viewer_client):
    content = viewer_client.get(URL).content.decode()
    assert "<h1>Production OpenAI" in content and "Active</span>" in content
    assert "Answer relevance" in content  # a dependent evaluation
    assert "listed live by the provider" in content
    assert "by Jane" in content


def test_it_shows_this_keys_audit_history(editor_client):
    editor_client.post(f"{URL}validate/")
    AuditEvent.objects.create(
        actor_name="someone",
        environment="sandbox",
        action="provider_key.update",
        target_type="provider_key",
        target_id=demo.KEY_CLAUDE,
        outcome="success",
    )
    history = list(editor_client.get(URL).context["history"])
    assert [event.action for event in history] == ["provider_key.validate"]


def test_an_unhealthy_key_explains_what_to_do(viewer_client):
    content = viewer_client.get(f"/sandbox/keys/{demo.KEY_OLD_ANTHROPIC}/").content.decode()
    assert "PostHog could not use this key: Invalid API key" in content


def test_a_failing_models_call_breaks_only_its_card(viewer_client, sandbox):
    sandbox.faults.add("llm_analytics/models", status=500)
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert "Answer relevance" in response.content.decode()
    assert "panel-error" in response.content.decode()


def test_azure_keys_show_their_endpoint_and_version(viewer_client):
    content = viewer_client.get(f"/sandbox/keys/{demo.KEY_AZURE}/").content.decode()
    assert "Azure endpoint" in content and "API version" in content


def test_the_trial_usage_meter_appears_when_posthog_returns_trial_fields(viewer_client, sandbox):
    assert b"Trial evaluations" not in viewer_client.get("/sandbox/keys/").content
    sandbox.switch(trial_era=True)
    content = viewer_client.get("/sandbox/keys/", {"refresh": 1}).content.decode()
    assert "Trial evaluations:" in content and "<meter" in content
