"""The environment registry built from settings, and the per-environment client cache."""

from __future__ import annotations

import pytest

from adminui.posthog import PostHogClient, get_client, get_environment, get_environments
from adminui.sandbox.demo import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID

# Building a client reads the stored API prefix (POSTHOG_API_PREFIX=auto).
pytestmark = pytest.mark.django_db


def test_the_sandbox_environment_is_called_sandbox(sandbox):
    environment = get_environment("sandbox")
    assert environment.sandbox is True
    assert environment.host == sandbox.url
    assert environment.project_id == DEMO_PROJECT_ID
    assert environment.personal_api_key == DEMO_PERSONAL_API_KEY
    assert list(get_environments()) == ["sandbox"]


def test_a_real_environment_is_named_after_its_slugified_name(settings):
    settings.POSTHOG_SANDBOX = False
    settings.POSTHOG_ENVIRONMENT_NAME = "EU Production"
    settings.POSTHOG_HOST = "https://eu.posthog.com/"
    environment = get_environment()
    assert environment.slug == "eu-production"
    assert environment.host == "https://eu.posthog.com"
    assert get_environment("eu-production") is environment


def test_an_underscore_in_the_name_still_makes_a_url_slug(settings, viewer_client):
    settings.POSTHOG_SANDBOX = False
    settings.POSTHOG_ENVIRONMENT_NAME = "EU_prod"
    assert get_environment().slug == "eu-prod"
    assert viewer_client.get("/").url == "/eu-prod/"


def test_an_unknown_slug_raises_lookup_error():
    with pytest.raises(LookupError):
        get_environment("nope")


def test_it_reads_timeouts_and_prefix_from_settings(settings):
    settings.POSTHOG_API_PREFIX = "projects"
    settings.POSTHOG_CONNECT_TIMEOUT = 1.5
    settings.POSTHOG_READ_TIMEOUT = 4.0
    settings.POSTHOG_LLM_READ_TIMEOUT = 40.0
    client = get_client()
    assert client.base_path == f"/api/projects/{DEMO_PROJECT_ID}/"
    assert (client.connect_timeout, client.read_timeout, client.llm_read_timeout) == (1.5, 4, 40)


def test_the_client_is_shared_until_a_posthog_setting_changes(settings):
    first = get_client("sandbox")
    assert get_client() is first
    assert get_client(get_environment()) is first
    settings.POSTHOG_READ_TIMEOUT = 2.0
    second = get_client()
    assert second is not first
    assert isinstance(second, PostHogClient)


def test_other_settings_do_not_drop_the_cache(settings):
    first = get_client()
    settings.KEY_ROTATION_DAYS = 1
    assert get_client() is first


def test_the_shared_client_talks_to_the_sandbox():
    keys = get_client().list_provider_keys()
    assert keys


def test_posthog_urls_point_into_the_configured_posthog(sandbox):
    environment = get_environment()
    assert environment.posthog_url("/project/4242/llm-analytics/evaluations") == (
        f"{sandbox.url}/project/4242/llm-analytics/evaluations"
    )
    assert environment.project_url("settings/environment-llm-analytics") == (
        f"{sandbox.url}/project/{DEMO_PROJECT_ID}/settings/environment-llm-analytics"
    )
