"""Every endpoint function returns typed results built from the sandbox's PostHog answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from adminui.integrations.kinds import integration_kind_label
from adminui.keys.providers import PROVIDERS, key_state_label, provider_info, provider_label
from adminui.posthog import (
    Evaluation,
    EvaluationSummary,
    Integration,
    ModelCatalog,
    PostHogClient,
    ProviderKey,
    RepositoryPage,
)
from adminui.sandbox import demo


@pytest.fixture
def client(sandbox):
    return PostHogClient(
        host=sandbox.url,
        personal_api_key=demo.DEMO_PERSONAL_API_KEY,
        project_id=demo.DEMO_PROJECT_ID,
        sleep=lambda seconds: None,
    )


def last_query(sandbox) -> dict[str, list[str]]:
    return sandbox.requests[-1].query


# Provider keys -----------------------------------------------------------------------------------


def test_it_lists_provider_keys_as_typed_objects(client):
    keys = {key.id: key for key in client.list_provider_keys()}
    production = keys[demo.KEY_PRODUCTION_OPENAI]
    assert isinstance(production, ProviderKey)
    assert (production.provider, provider_label(production.provider)) == ("openai", "OpenAI")
    assert production.is_healthy and key_state_label(production.state) == "Valid"
    assert production.api_key_masked.startswith("sk-p")
    assert isinstance(production.created_at, datetime) and production.created_at.tzinfo
    assert production.created_by.display_name == "Jane"
    assert keys[demo.KEY_OLD_ANTHROPIC].error_message == "Invalid API key"
    assert not keys[demo.KEY_OLD_ANTHROPIC].is_healthy
    assert keys[demo.KEY_GEMINI].last_used_at is None
    azure = keys[demo.KEY_AZURE]
    assert azure.is_azure and azure.azure_endpoint_display == "https://acme-eu.openai.azure.com/"
    assert azure.api_version_display == "2024-10-21"
    assert provider_label(keys[demo.KEY_TOGETHER].provider) == "Together AI"


def test_it_gets_one_provider_key_by_uuid_or_string(client):
    assert client.get_provider_key(demo.KEY_CLAUDE).name == "Claude judges"
    assert client.get_provider_key(uuid.UUID(demo.KEY_CLAUDE)).id == demo.KEY_CLAUDE


def test_it_creates_a_key_and_can_make_it_active(client):
    key = client.create_provider_key(
        provider="anthropic", name="New judge", api_key="sk-ant-" + "k" * 40, set_as_active=True
    )
    assert key.state == "ok" and key.name == "New judge"
    assert client.get_evaluation_config().active_provider_key.id == key.id


def test_it_creates_an_azure_key_with_its_endpoint(client, sandbox):
    key = client.create_provider_key(
        provider="azure_openai",
        name="Azure",
        api_key="a" * 32,
        azure_endpoint="https://demo.openai.azure.com/",
        api_version="2024-10-21",
    )
    assert key.azure_endpoint_display == "https://demo.openai.azure.com/"
    body = sandbox.requests[-1].json()
    assert body["azure_endpoint"] == "https://demo.openai.azure.com/"
    assert body["set_as_active"] is False


def test_it_renames_a_key_without_touching_anything_else(client):
    key = client.update_provider_key(demo.KEY_OPENROUTER, {"name": "Renamed"})
    assert key.name == "Renamed" and key.state == "ok"


def test_it_deletes_a_key_naming_a_replacement(client, sandbox):
    client.delete_provider_key(
        demo.KEY_PRODUCTION_OPENAI, replacement_key_id=demo.KEY_STAGING_OPENAI
    )
    assert last_query(sandbox) == {"replacement_key_id": [demo.KEY_STAGING_OPENAI]}
    ids = {key.id for key in client.list_provider_keys()}
    assert demo.KEY_PRODUCTION_OPENAI not in ids
    assert client.get_evaluation_config().active_provider_key.id == demo.KEY_STAGING_OPENAI


def test_it_validates_a_stored_key(client):
    key = client.validate_provider_key(demo.KEY_AZURE)
    assert isinstance(key, ProviderKey)
    assert key.state in ("ok", "invalid", "error")


def test_it_lists_what_depends_on_a_key(client):
    dependents = client.get_dependent_configs(demo.KEY_PRODUCTION_OPENAI)
    names = {e.name for e in dependents.evaluations}
    assert {"Answer relevance", "No PII in responses"} <= names
    assert all(e.model_configuration_id for e in dependents.evaluations)
    assert [k.id for k in dependents.alternative_keys] == [demo.KEY_STAGING_OPENAI]
    assert provider_label(dependents.alternative_keys[0].provider) == "OpenAI"
    assert client.get_dependent_configs(demo.KEY_TOGETHER).evaluations == []


def test_it_checks_a_key_without_saving_it(client):
    good = client.check_provider_key(provider="openai", api_key="sk-" + "m" * 40)
    assert good.is_valid and good.error_message is None
    bad = client.check_provider_key(provider="azure_openai", api_key="z" * 32)
    assert not bad.is_valid
    assert bad.error_field in ("azure_endpoint", "api_key")


# Evaluation config and models -------------------------------------------------------------------


def test_the_newest_evaluation_config_has_no_trial(client):
    config = client.get_evaluation_config()
    assert config.active_provider_key.id == demo.ACTIVE_KEY_ID
    assert config.trial is None
    assert isinstance(config.created_at, datetime)


def test_the_trial_era_evaluation_config_carries_trial_usage(client, sandbox):
    sandbox.switch(trial_era=True)
    trial = client.get_evaluation_config().trial
    assert trial is not None
    assert isinstance(trial.limit, int) and isinstance(trial.used, int)
    assert trial.remaining == trial.limit - trial.used


def test_setting_the_active_key_returns_the_new_config(client):
    config = client.set_active_key(demo.KEY_CLAUDE)
    assert config.active_provider_key.id == demo.KEY_CLAUDE


def test_it_lists_models_in_the_newest_shape(client):
    catalog = client.list_models()
    assert isinstance(catalog, ModelCatalog)
    assert catalog.models and all(m.provider for m in catalog.models)
    assert {p.provider for p in catalog.providers} >= {"openai", "anthropic"}
    openai = next(p for p in catalog.providers if p.provider == "openai")
    assert provider_label(openai.provider) == "OpenAI" and isinstance(openai.model_count, int)


def test_it_lists_models_in_the_legacy_shape(client, sandbox):
    sandbox.switch(legacy_models_shape=True)
    catalog = client.list_models(provider="openai")
    assert catalog.providers == []
    assert catalog.models and {m.provider for m in catalog.models} == {"openai"}
    assert all(isinstance(m.posthog_available, bool) for m in catalog.models)


def test_it_lists_the_models_a_key_can_reach(client, sandbox):
    catalog = client.list_models(key_id=demo.KEY_CLAUDE)
    assert catalog.models
    assert last_query(sandbox) == {"key_id": [demo.KEY_CLAUDE]}


# Evaluations ------------------------------------------------------------------------------------


def test_it_lists_evaluations_with_filters(client, sandbox):
    page = client.list_evaluations(enabled=False)
    assert {e.id for e in page.results} == {demo.EVAL_REFUSAL, demo.EVAL_SUPPORT_TOPIC}
    assert last_query(sandbox)["enabled"] == ["false"]
    found = client.list_evaluations(search="tone", order_by="-created_at")
    assert [e.name for e in found.results] == ["Tone matches brand"]


def test_an_evaluation_keeps_unknown_fields_in_extra(client):
    evaluation = client.get_evaluation(demo.EVAL_TONE)
    assert isinstance(evaluation, Evaluation)
    assert evaluation.enabled and evaluation.evaluation_type == "llm_judge"
    assert "prompt" in evaluation.evaluation_config
    assert evaluation.output_type == "boolean"
    assert evaluation.conditions
    assert evaluation.model_configuration and evaluation.model_configuration.provider == "anthropic"
    assert (evaluation.status, evaluation.target) == ("active", "generation")
    assert evaluation.extra["target_config"] == {}
    assert "id" not in evaluation.extra and "model_configuration" not in evaluation.extra


def test_it_summarises_an_evaluation(client):
    summary = client.summarize_evaluation(evaluation_id=demo.EVAL_TONE, filter="fail")
    assert isinstance(summary, EvaluationSummary)
    assert summary.overall_assessment
    assert summary.statistics.total_analyzed > 0
    assert summary.statistics.fail_count == summary.statistics.total_analyzed
    assert summary.fail_patterns and summary.fail_patterns[0].example_generation_ids
    assert EvaluationSummary.from_api(summary.to_dict()) == summary


def test_it_refuses_an_unknown_summary_filter_before_asking_posthog(client):
    with pytest.raises(ValueError):
        client.summarize_evaluation(evaluation_id=demo.EVAL_TONE, filter="maybe")


# Integrations -----------------------------------------------------------------------------------


def test_it_lists_integrations_and_flags_broken_ones(client):
    integrations = {i.id: i for i in client.list_integrations()}
    assert len(integrations) == 8
    github = integrations[demo.GITHUB_INTEGRATION_ID]
    assert isinstance(github, Integration)
    assert (integration_kind_label(github.kind), github.display_name) == ("GitHub", "acme-corp")
    assert github.installation_status == "connected"
    assert integrations[demo.BROKEN_LINEAR_INTEGRATION_ID].needs_reconnecting
    assert not integrations[demo.LINEAR_INTEGRATION_ID].needs_reconnecting


def test_it_lists_integrations_of_one_kind(client):
    linear = client.list_integrations(kind="linear")
    assert {i.id for i in linear} == {demo.LINEAR_INTEGRATION_ID, demo.BROKEN_LINEAR_INTEGRATION_ID}


def test_it_gets_one_integration(client):
    slack = client.get_integration(demo.SLACK_INTEGRATION_ID)
    assert slack.kind == "slack" and slack.config["team"]["name"] == "Acme"
    assert client.get_integration(str(demo.SLACK_INTEGRATION_ID)).id == demo.SLACK_INTEGRATION_ID


def test_it_pages_through_github_repositories(client):
    page = client.list_github_repos(demo.GITHUB_INTEGRATION_ID, limit=50)
    assert len(page.repositories) == 50
    assert page.has_more is True and page.total == 160
    repo = page.repositories[0]
    assert repo.full_name.startswith("acme-corp/") and repo.name in repo.full_name
    assert isinstance(repo.pushed_at, datetime)
    searched = client.list_github_repos(demo.GITHUB_INTEGRATION_ID, search="billing-")
    assert searched.repositories
    assert all("billing-" in r.full_name for r in searched.repositories)


def test_the_oldest_github_repos_shape_has_no_paging_facts():
    page = RepositoryPage.from_api({"repositories": [{"id": 1, "full_name": "o/r"}]})
    assert page.has_more is None and page.total is None
    assert page.repositories[0].name == "r"


def test_it_lists_branches_of_a_repository(client):
    repo = client.list_github_repos(demo.GITHUB_INTEGRATION_ID, limit=1).repositories[0]
    branches = client.list_github_branches(demo.GITHUB_INTEGRATION_ID, repo=repo.full_name)
    assert repo.default_branch in branches.branches
    assert branches.default_branch == repo.default_branch
    assert branches.has_more is False


def test_it_lists_jira_projects_and_linear_teams(client):
    projects = client.list_jira_projects(demo.JIRA_INTEGRATION_ID)
    assert [(p.key, p.name) for p in projects][:2] == [
        ("ENG", "Engineering"),
        ("AI", "AI Platform"),
    ]
    teams = client.list_linear_teams(demo.LINEAR_INTEGRATION_ID)
    assert [t.name for t in teams] == ["Platform", "AI Evals", "Growth", "Design", "Support"]


def test_it_pages_through_slack_channels(client):
    page = client.list_slack_channels(demo.SLACK_INTEGRATION_ID, limit=10)
    assert len(page.channels) == 10 and page.has_more is True
    assert isinstance(page.last_refreshed_at, datetime)
    private = client.list_slack_channels(demo.SLACK_INTEGRATION_ID, search="finance").channels
    assert [(c.name, c.is_private) for c in private] == [("finance", True)]


@pytest.mark.usefixtures("older_posthog")
def test_it_lists_google_ads_accounts_and_conversion_actions(client):
    listed = client.list_google_accessible_accounts(demo.GOOGLE_ADS_INTEGRATION_ID)
    accounts = {a.id: a for a in listed}
    assert accounts["1234567890"].manager and accounts["1234567890"].level is None
    assert accounts["2345678901"].level == "1"
    assert accounts["2345678901"].parent_id == "1234567890"
    actions = client.list_google_conversion_actions(
        demo.GOOGLE_ADS_INTEGRATION_ID, customer_id="2345678901", parent_id="1234567890"
    )
    assert actions and all(a.resource_name.startswith("customers/2345678901/") for a in actions)


@pytest.mark.usefixtures("older_posthog")
def test_it_lists_linkedin_accounts_and_conversion_rules(client):
    accounts = client.list_linkedin_ads_accounts(demo.LINKEDIN_ADS_INTEGRATION_ID)
    assert [a.id for a in accounts] == ["508912345", "508912377", "511204588"]
    rules = client.list_linkedin_ads_conversion_rules(
        demo.LINKEDIN_ADS_INTEGRATION_ID, account_id="508912345"
    )
    assert [r.name for r in rules] == ["Website visit", "Sign-up"]


@pytest.mark.usefixtures("older_posthog")
def test_it_lists_twilio_numbers_with_their_refresh_time(client, sandbox):
    numbers = client.list_twilio_phone_numbers(demo.TWILIO_INTEGRATION_ID, force_refresh=True)
    assert [n.phone_number for n in numbers.phone_numbers][0] == "+14155550123"
    assert isinstance(numbers.last_refreshed_at, datetime)
    assert last_query(sandbox) == {"force_refresh": ["true"]}


@pytest.mark.usefixtures("older_posthog")
def test_authorize_returns_posthogs_redirect_without_following_it(client, sandbox):
    url = client.authorize_integration(kind="slack", next_path="/project/4242/settings?x=1")
    assert urlsplit(url).scheme in ("http", "https")
    query = last_query(sandbox)
    assert query == {"kind": ["slack"], "next": ["/project/4242/settings?x=1"]}
    assert len(sandbox.requests) == 1  # the provider's page was not fetched


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/", "settings"])
def test_authorize_refuses_a_next_that_is_not_a_relative_path(client, next_path):
    with pytest.raises(ValueError):
        client.authorize_integration(kind="github", next_path=next_path)


# Tables the UI reuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("openai", "OpenAI"),
        ("anthropic", "Anthropic"),
        ("gemini", "Google Gemini"),
        ("google", "Google Gemini"),
        ("openrouter", "OpenRouter"),
        ("fireworks", "Fireworks"),
        ("azure_openai", "Azure OpenAI"),
        ("together_ai", "Together AI"),
        ("minimax", "MiniMax"),
        ("zeabur", "Zeabur AI Hub"),
        ("openai_compatible", "OpenAI-compatible"),
        ("deepseek", "Deepseek"),
        ("new_provider", "New Provider"),
    ],
)
def test_every_provider_has_a_label(slug, label):
    assert provider_label(slug) == label


def test_the_provider_table_carries_placeholders_and_posthogs_prefix_rules():
    assert PROVIDERS["anthropic"].key_placeholder == "sk-ant-..."
    assert PROVIDERS["openai"].key_prefixes == ("sk-", "sk-proj-")
    assert provider_info("azure_openai").config_fields == ("azure_endpoint", "api_version")


def test_integration_kinds_have_labels():
    assert integration_kind_label("linkedin-ads") == "LinkedIn Ads"
    assert integration_kind_label("brand-new-kind") == "Brand New Kind"
