"""Secrets never reach logs, error messages, reprs or audit summaries."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

import pytest

from adminui.posthog import PostHogClient, PostHogError, get_client, get_environment
from adminui.posthog.redaction import (
    MASK,
    REDACTED,
    RedactSecretsFilter,
    redact,
    redact_payload,
    redact_url,
    register_secret,
)
from adminui.sandbox.demo import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID


def unique_secret(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}"


def test_it_masks_a_registered_secret_wherever_it_appears():
    secret = unique_secret("plain")
    register_secret(secret)
    assert redact(f"before {secret} after") == f"before {MASK} after"


def test_it_masks_token_shaped_values_nobody_registered():
    text = redact("keys phx_abcdefghijkl, sk-ant-api03-abcdefgh and AIzaSyB7x-Kq2Lm9Np4Rs1Tu8Vw3X")
    assert text == f"keys phx_{MASK}, sk-{MASK} and AIza{MASK}"


def test_it_masks_bearer_credentials():
    assert redact("Authorization: Bearer abc.def.ghi") == f"Authorization: Bearer {MASK}"


def test_it_masks_the_url_encoded_form_of_a_registered_secret():
    secret = "pw+with/slashes=" + uuid.uuid4().hex
    register_secret(secret)
    assert redact(f"?x={quote(secret, safe='')}") == f"?x={MASK}"


def test_it_ignores_blank_and_short_values():
    register_secret("abc")
    register_secret(None)
    assert redact("abc def") == "abc def"


def test_redacting_twice_changes_nothing_more():
    once = redact("phx_abcdefghijklmnop and sk-proj-1234567890")
    assert redact(once) == once


def test_it_masks_sensitive_query_parameters_in_urls():
    url = redact_url("https://h/api/x/?token=abc&limit=10&api_key=zzz")
    assert "abc" not in url and "zzz" not in url
    assert "limit=10" in url


def test_an_audit_payload_keeps_sensitive_keys_but_not_their_values():
    secret = unique_secret("sk-")
    payload = redact_payload(
        {
            "name": "Production",
            "api_key": secret,
            "config": {"client_secret": "s3cret-value", "region": "eu"},
            "notes": [f"typed {secret}"],
            "azure_endpoint": None,
        }
    )
    assert payload == {
        "name": "Production",
        "api_key": REDACTED,
        "config": {"client_secret": REDACTED, "region": "eu"},
        "notes": [f"typed sk-{MASK}"],
        "azure_endpoint": None,
    }


def make_record(msg, args=(), exc_info=None):
    return logging.LogRecord("adminui.posthog", logging.INFO, __file__, 1, msg, args, exc_info)


def test_the_logging_filter_masks_the_rendered_message_and_drops_the_args():
    secret = unique_secret("typed-")
    register_secret(secret)
    record = make_record("sent %s (%d bytes)", (secret, 42))
    assert RedactSecretsFilter().filter(record) is True
    assert record.getMessage() == f"sent {MASK} (42 bytes)"


def test_the_logging_filter_masks_tracebacks():
    secret = unique_secret("tb-")
    register_secret(secret)
    try:
        raise RuntimeError(f"boom with {secret}")
    except RuntimeError:
        import sys

        record = make_record("failed", exc_info=sys.exc_info())
    RedactSecretsFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert secret not in formatted
    assert "boom with" in formatted


def test_the_logging_filter_registers_the_configured_personal_key(settings):
    settings.POSTHOG_PERSONAL_API_KEY = "legacy-key-without-prefix-" + uuid.uuid4().hex
    RedactSecretsFilter()
    assert settings.POSTHOG_PERSONAL_API_KEY not in redact(settings.POSTHOG_PERSONAL_API_KEY)


def test_environment_and_client_reprs_do_not_show_the_personal_key(db):
    environment = get_environment()
    assert DEMO_PERSONAL_API_KEY not in repr(environment)
    assert DEMO_PERSONAL_API_KEY not in repr(get_client(environment))


def all_text(caplog, errors):
    records = [r.getMessage() for r in caplog.records]
    records += [logging.Formatter().format(r) for r in caplog.records]
    return "\n".join(records + [str(e) for e in errors] + [repr(e) for e in errors])


@pytest.mark.parametrize("api_prefix", ["environments", "projects"])
def test_neither_key_appears_in_logs_errors_or_reprs_of_a_real_session(sandbox, caplog, api_prefix):
    """Create a key with a typed secret, then trigger errors that could echo it back."""
    caplog.set_level(logging.DEBUG)
    typed = "sk-proj-" + uuid.uuid4().hex
    client = PostHogClient(
        host=sandbox.url,
        personal_api_key=DEMO_PERSONAL_API_KEY,
        project_id=DEMO_PROJECT_ID,
        api_prefix=api_prefix,
        sleep=lambda seconds: None,
    )
    errors: list[PostHogError] = []

    created = client.create_provider_key(provider="openai", name="Typed", api_key=typed)
    # PostHog echoing the typed key in an error detail must not leak it either.
    sandbox.faults.add("provider_keys", method="PATCH", status=400, body={"api_key": [typed]})
    sandbox.faults.add("provider_key_validations", status=500, non_json=True)
    sandbox.faults.add("dependent_configs", status=503, times=None)
    for call in (
        lambda: client.update_provider_key(created.id, {"api_key": typed + "x"}),
        lambda: client.check_provider_key(provider="openai", api_key=typed),
        lambda: client.get_dependent_configs(created.id),
        lambda: PostHogClient(
            host=sandbox.url, personal_api_key="phx_wrong_" + typed, project_id=DEMO_PROJECT_ID
        ).list_provider_keys(),
    ):
        with pytest.raises(PostHogError) as caught:
            call()
        errors.append(caught.value)

    text = all_text(caplog, errors) + repr(client) + repr(created)
    assert typed not in text
    assert DEMO_PERSONAL_API_KEY not in text
    assert any("PostHog POST" in r.getMessage() for r in caplog.records)
