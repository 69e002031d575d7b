"""The environments file (ADMINUI_ENVIRONMENTS_FILE): several PostHog projects, each with its own
host and key, strictly validated; the POSTHOG_* variables still make one environment."""

from __future__ import annotations

import re

import pytest
import requests

from adminui.demo_project import (
    DEMO_PERSONAL_API_KEY,
    DEMO_PROJECT_ID,
    STAGING_PROJECT_ID,
    write_sandbox_environments,
)
from adminui.posthog import get_client, get_environment, get_environments
from adminui.posthog.environment_file import (
    EnvironmentsFileError,
    GlobalSettings,
    load_environments_file,
)
from adminui.posthog.environments import AlertChannels
from adminui.posthog.redaction import MASK, redact
from adminui.sandbox import demo, staging
from tests.conftest import (
    AUTH,
    bearer,
    environment_entry,
    write_environments_file,
)
from tests.test_settings import manage

pytestmark = pytest.mark.django_db

KEYS = "llm_analytics/provider_keys/"
ENTRY = """
[[environment]]
slug = "prod"
name = "Production"
host = "https://us.posthog.com"
project_id = 12345
personal_api_key_env = "ADMINUI_TEST_KEY"
"""


@pytest.fixture(autouse=True)
def api_key_variable(monkeypatch):
    monkeypatch.setenv("ADMINUI_TEST_KEY", "phx_from_the_environment_0001")


def load(tmp_path, text: str) -> list:
    path = tmp_path / "environments.toml"
    path.write_text(text)
    return load_environments_file(str(path), GlobalSettings())


def refusal(tmp_path, text: str) -> str:
    with pytest.raises(EnvironmentsFileError) as raised:
        load(tmp_path, text)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'environments.toml'}: "), message
    return message


@pytest.mark.parametrize(
    ("second", "field", "problem"),
    [
        ('slug = "prod"', "slug", "slugs must be unique"),
        ('slug = "Staging_1"', "slug", "lowercase letters, digits and hyphens"),
        ('slug = "-staging"', "slug", "starting with a letter or digit"),
        ('slug = "audit"', "slug", "taken by one of the portal's own pages"),
        ('slug = "staging"\nprojectid = 1', "projectid", "is unknown; known fields:"),
        ('slug = "staging"\ncolour = "pink"', "colour", "must be one of red, orange"),
        ('slug = "staging"\nfailover = "yes"', "failover", "must be true or false"),
        ('slug = "staging"\napi_prefix = "v2"', "api_prefix", "auto, environments, projects"),
    ],
)
def test_each_refusal_names_the_file_the_entry_and_the_field(tmp_path, second, field, problem):
    second_entry = ENTRY.replace('slug = "prod"\n', "").replace("12345", "12346")
    message = refusal(tmp_path, ENTRY + second_entry.replace("]]", "]]\n" + second))
    slug = re.search(r'slug = "([^"]*)"', second)[1]
    assert f"environment #2 ({slug!r}), field {field!r}" in message
    assert problem in message


@pytest.mark.parametrize(
    ("replace", "by", "field", "problem"),
    [
        ('personal_api_key_env = "ADMINUI_TEST_KEY"', "", "personal_api_key_file", "is required"),
        ("ADMINUI_TEST_KEY", "ADMINUI_UNSET_KEY", "personal_api_key_env",
         "names the environment variable ADMINUI_UNSET_KEY, which is not set"),
        ('personal_api_key_env = "ADMINUI_TEST_KEY"', 'personal_api_key_file = "/nowhere/key"',
         "personal_api_key_file", "names '/nowhere/key', which cannot be read"),
        ('personal_api_key_env = "ADMINUI_TEST_KEY"',
         'personal_api_key_env = "ADMINUI_TEST_KEY"\npersonal_api_key_file = "/run/key"',
         "personal_api_key_file", "and personal_api_key_env are both set"),
        ('personal_api_key_env = "ADMINUI_TEST_KEY"', 'personal_api_key = "phx_inline_key_0001"',
         "personal_api_key", "is a secret and never written here"),
        ('name = "Production"\n', "", "name", "is required"),
        ("https://us.posthog.com", "us.posthog.com", "host", "must be PostHog's address"),
        ("https://us.posthog.com", "https://me:pw@us.posthog.com", "host", "without credentials"),
        ("12345", '"12345"', "project_id", "must be a positive whole number"),
        ("12345", "true", "project_id", "must be a positive whole number"),
    ],
)  # fmt: skip
def test_identity_and_key_fields_are_checked(tmp_path, replace, by, field, problem):
    message = refusal(tmp_path, ENTRY.replace(replace, by))
    assert f"environment #1 ('prod'), field {field!r}" in message
    assert problem in message
    assert "phx_inline_key_0001" not in message


@pytest.mark.parametrize(
    ("alerts", "field", "problem"),
    [
        ('webhook_url = "https://hooks.example.com/x"', "alerts.webhook_url", "is a secret"),
        ('channel = "#ops"', "alerts.channel", "is unknown"),
        ('email_to = ["ops@acme.com", "not an address"]', "alerts.email_to", "'not an address'"),
        ("email_to = 3", "alerts.email_to", "a list of addresses or one string"),
        ('slack_webhook_url_env = "ADMINUI_UNSET_HOOK"', "alerts.slack_webhook_url_env",
         "ADMINUI_UNSET_HOOK, which is not set"),
        ('webhook_url_env = "ADMINUI_TEST_KEY"', "alerts.webhook_url_env",
         "does not hold an http(s) URL"),
    ],
)  # fmt: skip
def test_alert_overrides_are_checked_like_the_rest(tmp_path, alerts, field, problem):
    message = refusal(tmp_path, ENTRY + "[environment.alerts]\n" + alerts + "\n")
    assert f"environment #1 ('prod'), field {field!r}" in message
    assert problem in message
    assert "hooks.example.com" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "defines no environment"),
        ("[environment]\nslug = 'prod'", "defines no environment"),
        ("[[environment]\n", "is not valid TOML"),
        ("environment = [1]", "environment #1: is not a table"),
        (ENTRY + "\n[portal]\ntitle = 'x'\n", "unknown top-level key 'portal'"),
    ],
)
def test_a_file_without_environments_or_not_toml_is_refused(tmp_path, text, problem):
    assert problem in refusal(tmp_path, text)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(EnvironmentsFileError, match=r"nowhere\.toml: cannot be read"):
        load_environments_file(str(tmp_path / "nowhere.toml"), GlobalSettings())


def test_keys_come_from_a_file_or_a_variable_and_are_masked_in_logs(tmp_path):
    key_file = tmp_path / "staging-key"
    key_file.write_text("phx_from_a_file_000000002\n")
    second = ENTRY.replace('"prod"', '"staging"').replace(
        'personal_api_key_env = "ADMINUI_TEST_KEY"', f'personal_api_key_file = "{key_file}"'
    )
    production, staging_environment = load(tmp_path, ENTRY + second)
    assert production.personal_api_key == "phx_from_the_environment_0001"
    assert staging_environment.personal_api_key == "phx_from_a_file_000000002"
    assert "phx_from_a_file_000000002" not in repr(staging_environment)
    assert redact("key=phx_from_a_file_000000002.") == f"key={MASK}."


def test_every_field_reaches_the_environment(tmp_path, monkeypatch):
    (tmp_path / "hook").write_text("https://hooks.slack.com/services/T0/B0/staging-secret\n")
    monkeypatch.setenv("ADMINUI_TEST_WEBHOOK_SECRET", "whsec_staging_0123456789")
    text = (
        ENTRY
        + f"""api_prefix = "projects"
colour = "red"
failover = true
[environment.alerts]
email_to = "ops@acme.com, oncall@acme.com"
slack_webhook_url_file = "{tmp_path / "hook"}"
webhook_secret_env = "ADMINUI_TEST_WEBHOOK_SECRET"
"""
    )
    defaults = GlobalSettings(connect_timeout=1.0, read_timeout=2.0, llm_read_timeout=3.0)
    path = tmp_path / "environments.toml"
    path.write_text(text)
    [environment] = load_environments_file(str(path), defaults)
    assert (environment.slug, environment.name, environment.host) == (
        "prod", "Production", "https://us.posthog.com",
    )  # fmt: skip
    assert (environment.project_id, environment.api_prefix) == (12345, "projects")
    assert (environment.colour, environment.failover, environment.sandbox) == ("red", True, False)
    assert (environment.connect_timeout, environment.read_timeout) == (1.0, 2.0)
    assert environment.alert_channels == AlertChannels(
        email_to=("ops@acme.com", "oncall@acme.com"),
        slack_webhook_url="https://hooks.slack.com/services/T0/B0/staging-secret",
        webhook_secret="whsec_staging_0123456789",
    )
    assert "staging-secret" not in repr(environment)
    assert redact("sent to https://hooks.slack.com/services/T0/B0/staging-secret") == (
        f"sent to {MASK}"
    )


def test_optional_fields_default_to_the_global_settings(tmp_path):
    [environment] = load(tmp_path, ENTRY)
    assert (environment.api_prefix, environment.colour, environment.failover) == ("auto", "", False)
    assert environment.alert_channels == AlertChannels()  # every channel as configured globally


def test_an_empty_email_list_turns_email_off_for_that_environment(tmp_path):
    [environment] = load(tmp_path, ENTRY + "[environment.alerts]\nemail_to = []\n")
    assert environment.alert_channels.email_to == ()


def test_the_registry_reads_the_file_in_its_order(two_environments, sandbox):
    assert list(two_environments) == ["prod", "staging"]
    assert get_environment().slug == "prod"
    staging_environment = get_environment("staging")
    assert staging_environment.project_id == STAGING_PROJECT_ID
    assert staging_environment.colour == "amber"
    assert staging_environment.sandbox, "the local sandbox's projects show as demo data"
    assert get_client("staging").base_path == f"/api/environments/{STAGING_PROJECT_ID}/"


def test_without_the_file_the_posthog_variables_keep_their_slug(two_environments, settings):
    settings.ADMINUI_ENVIRONMENTS_FILE = ""
    assert list(get_environments()) == ["sandbox"]
    assert get_environment().project_id == DEMO_PROJECT_ID


def test_each_environment_lists_its_own_projects_keys(two_environments, viewer_client, sandbox):
    production = viewer_client.get("/prod/keys/").content.decode()
    staging_page = viewer_client.get("/staging/keys/").content.decode()
    assert "Production OpenAI" in production and "Staging Anthropic" not in production
    assert "Staging Anthropic (rotated)" in staging_page and "Production OpenAI" not in staging_page
    assert sandbox.received(rf"/{STAGING_PROJECT_ID}/{KEYS}$", "GET")
    assert viewer_client.get("/sandbox/keys/").status_code == 404, "no such environment now"


def test_the_portal_refuses_to_start_on_a_bad_file(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(ENTRY.replace('"prod"', '"Prod"'))
    result = manage("check", ADMINUI_ENVIRONMENTS_FILE=str(path))
    assert result.returncode != 0
    assert f"{path}: environment #1 ('Prod'), field 'slug'" in result.stderr


def test_the_file_and_the_single_environment_variables_are_not_mixed(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text(ENTRY)
    result = manage(
        "check", ADMINUI_ENVIRONMENTS_FILE=str(path), POSTHOG_HOST="https://eu.posthog.com"
    )
    assert result.returncode != 0
    assert "ADMINUI_ENVIRONMENTS_FILE and POSTHOG_HOST are both set" in result.stderr


def test_a_good_file_starts_the_portal(tmp_path):
    path = write_environments_file(tmp_path, [ENTRY_ON_SANDBOX, STAGING_ON_SANDBOX])
    result = manage("check", ADMINUI_ENVIRONMENTS_FILE=str(path), ADMINUI_TEST_KEY="phx_x_000001")
    assert result.returncode == 0, result.stderr


ENTRY_ON_SANDBOX = {
    "slug": "prod", "name": "Production", "host": "http://127.0.0.1:8001",
    "project_id": DEMO_PROJECT_ID, "personal_api_key_env": "ADMINUI_TEST_KEY",
}  # fmt: skip
STAGING_ON_SANDBOX = ENTRY_ON_SANDBOX | {"slug": "staging", "project_id": STAGING_PROJECT_ID}


def test_the_sandbox_serves_a_second_project_with_its_own_data(sandbox):
    response = requests.get(
        sandbox.api_url(KEYS, project=STAGING_PROJECT_ID), headers=AUTH, timeout=10
    )
    names = {key["name"]: key["state"] for key in response.json()["results"]}
    assert names == {
        "Staging Anthropic": "invalid",
        "Staging Anthropic (rotated)": "ok",
        "Fireworks trial": "unknown",
    }
    config = requests.get(
        sandbox.api_url("llm_analytics/evaluation_config/", project=STAGING_PROJECT_ID),
        headers=AUTH, timeout=10,
    ).json()  # fmt: skip
    assert config["active_provider_key"]["id"] == staging.STAGING_ACTIVE_KEY_ID
    integrations = requests.get(
        sandbox.api_url("integrations/", project=STAGING_PROJECT_ID), headers=AUTH, timeout=10
    ).json()["results"]
    assert {(i["kind"], i["errors"]) for i in integrations} == {
        ("slack", ""), ("linear", "TOKEN_REFRESH_FAILED"),
    }  # fmt: skip


def test_the_projects_do_not_share_records(sandbox):
    path = sandbox.api_url(f"{KEYS}{demo.KEY_PRODUCTION_OPENAI}/", project=STAGING_PROJECT_ID)
    assert requests.get(path, headers=AUTH, timeout=10).status_code == 404
    created = requests.post(
        sandbox.api_url(KEYS, project=STAGING_PROJECT_ID), headers=AUTH, timeout=10,
        json={"provider": "openai", "name": "Staging only", "api_key": "sk-staging-only-0001"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["id"] in sandbox.project(STAGING_PROJECT_ID).provider_keys
    assert created.json()["id"] not in sandbox.state.provider_keys
    sandbox.reset()
    assert created.json()["id"] not in sandbox.project(STAGING_PROJECT_ID).provider_keys


def test_a_key_limited_to_production_cannot_read_staging(sandbox):
    sandbox.add_api_key("phx_production_only_0001", ["*"], project_ids=[DEMO_PROJECT_ID])
    response = requests.get(
        sandbox.api_url(KEYS, project=STAGING_PROJECT_ID),
        headers=bearer("phx_production_only_0001"), timeout=10,
    )  # fmt: skip
    assert response.status_code == 403
    assert f"ID {STAGING_PROJECT_ID}" in response.json()["detail"]


def test_the_test_helpers_write_failover_and_alerts(sandbox, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMINUI_TEST_SANDBOX_KEY", "phx_sandbox_helper_0001")
    alerts = {"email_to": ["ops@acme.com"]}
    entry = environment_entry(sandbox, "staging", "Staging", STAGING_PROJECT_ID, failover=True)
    path = write_environments_file(tmp_path, [entry | {"alerts": alerts}])
    settings.ADMINUI_ENVIRONMENTS_FILE = str(path)
    environment = get_environment("staging")
    assert environment.failover is True
    assert environment.alert_channels.email_to == ("ops@acme.com",)


def test_make_run_writes_a_file_for_both_sandbox_projects(tmp_path):
    path = write_sandbox_environments(tmp_path / "run", "http://127.0.0.1:8001")
    environments = load_environments_file(
        str(path), GlobalSettings(sandbox_url="http://127.0.0.1:8001")
    )
    assert [(e.slug, e.name, e.project_id, e.colour) for e in environments] == [
        ("sandbox", "Production", DEMO_PROJECT_ID, "red"),
        ("staging", "Staging", STAGING_PROJECT_ID, "amber"),
    ]
    assert all(e.sandbox and e.personal_api_key == DEMO_PERSONAL_API_KEY for e in environments)
    assert DEMO_PERSONAL_API_KEY not in path.read_text(), "the key sits in its own file"


def test_the_sandbox_web_app_names_the_project_a_link_opens(sandbox):
    page = requests.get(
        f"{sandbox.url}/project/{STAGING_PROJECT_ID}/llm-analytics/evaluations", timeout=10
    )
    assert page.status_code == 200
    assert "PostHog sandbox: Acme AI Staging" in page.text
    missing = requests.get(f"{sandbox.url}/project/4244/llm-analytics/evaluations", timeout=10)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "",
        "keys/",
        f"keys/{staging.STAGING_KEY_ANTHROPIC}/",
        "evaluations/",
        f"evaluations/{staging.STAGING_EVAL_TOXICITY}/",
        "models/",
        "integrations/",
        f"integrations/{staging.STAGING_LINEAR_INTEGRATION_ID}/",
    ],
)
def test_every_screen_shows_the_staging_project(two_environments, viewer_client, path):
    response = viewer_client.get(f"/staging/{path}")
    assert response.status_code == 200
    assert b"Staging" in response.content
