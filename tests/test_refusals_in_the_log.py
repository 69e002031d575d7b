"""A refused request (a role's 403) is expected, not a bug: the log gets one line saying who, what
and why, never a traceback; and the CSP lets forms post to the portal only."""

from __future__ import annotations

import logging

import pytest

from adminui.sandbox import demo
from tests.conftest import HTMX

WRITE = f"/sandbox/keys/{demo.KEY_PRODUCTION_OPENAI}/validate/"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_refused_write_is_logged_in_one_line_without_a_traceback(viewer_client, caplog, headers):
    with caplog.at_level(logging.INFO):
        response = viewer_client.post(WRITE, headers=headers)
    assert response.status_code == 403
    refusals = [r for r in caplog.records if "Forbidden" in r.getMessage()]
    assert len(refusals) == 1
    (refusal,) = refusals
    assert refusal.exc_info is None and refusal.levelno == logging.WARNING
    assert refusal.getMessage().startswith(f"Forbidden: vic POST {WRITE}: ")
    assert "Editor" in refusal.getMessage()
    assert "Traceback" not in caplog.text


def test_forms_may_post_to_the_portal_only(viewer_client):
    policy = viewer_client.get("/sandbox/keys/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy or policy.endswith("form-action 'self'")


def test_with_oidc_forms_may_also_post_to_the_identity_provider():
    from tests.test_settings import manage

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_CSP['form-action'])",
        OIDC_ISSUER="https://id.example.com/realms/staff",
        OIDC_CLIENT_ID="adminui",
        OIDC_CLIENT_SECRET="not-a-real-secret",
        OIDC_ROLE_GROUPS="Viewer=staff",
    )
    assert result.stdout.strip().endswith("[<CSP.SELF: \"'self'\">, 'https://id.example.com']")
