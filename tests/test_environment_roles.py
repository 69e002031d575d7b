"""Roles per environment: a user's role in an environment is their role there if they have one,
else their default role; an environment where that is no role is hidden. Every URL of every
environment is walked (from Django's resolver, so a new URL is covered by itself) for people
with different roles in two environments."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from adminui.accounts.models import EnvironmentRole
from adminui.models import AuditEvent, BulkValidation, SummaryRequest
from adminui.sandbox import staging
from adminui.web.roles import Role, role_in, role_of, visible_environments
from tests.conftest import HTMX, logged_in, make_user
from tests.summary_helpers import run_worker
from tests.test_login_and_roles import SAMPLES

HIDDEN_PAGE = "There is no environment “{slug}” in this portal."


def person(username: str, default: str | None, **in_environments: str) -> User:
    """A user with a default role group (or none) and a role per environment slug."""
    user = make_user(User, username, default)
    for slug, role in in_environments.items():
        EnvironmentRole.objects.create(user=user, environment=slug, role=role)
    return user


def environment_routes(patterns=None, prefix: str = "") -> list[tuple[str, str, object]]:
    """(name, route, view) of every URL under /<environment>/."""
    found: list[tuple[str, str, object]] = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += environment_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("<env:environment>/"):
            found.append((pattern.name, route, pattern.callback))
    return found


ROUTES = environment_routes()


def url_in(slug: str, route: str) -> str:
    return "/" + re.sub(r"<(\w+):\w+>", lambda m: slug if m[1] == "env" else SAMPLES[m[1]], route)


def is_hidden_page(response, slug: str) -> bool:
    return response.status_code == 404 and HIDDEN_PAGE.format(slug=slug) in response.text


@pytest.fixture
def people(db, two_environments):
    """Clients of: Hana (Editor, no access to prod), Val (Editor, Viewer in prod), Sol (no
    default role, Viewer in staging only) and Abe (Viewer, Admin in prod)."""
    return {
        "hana": logged_in(person("hana", "Editor", prod="none")),
        "val": logged_in(person("val", "Editor", prod="viewer")),
        "sol": logged_in(person("sol", None, staging="viewer")),
        "abe": logged_in(person("abe", "Viewer", prod="admin")),
    }


def test_the_walk_finds_the_environment_urls_and_each_view_states_its_role():
    names = {name for name, _, _ in ROUTES}
    assert {"overview", "key-add", "summary-export-md", "integration-export-csv"} <= names
    unguarded = [name for name, _, view in ROUTES if not hasattr(view, "required_role")]
    assert unguarded == [], "every environment view goes through role_required"


@pytest.mark.parametrize(("name", "route", "view"), ROUTES, ids=[r[0] for r in ROUTES])
def test_a_hidden_environment_answers_404_to_every_method_and_nothing_reaches_posthog(
    people, sandbox, name, route, view
):
    url = url_in("prod", route)
    for client in (people["hana"], people["sol"]):
        answers = [
            client.get(url),
            client.get(url, headers=HTMX),  # an htmx fragment
            client.post(url, {"name": "x", "filter": "all"}),
            client.post(url, headers=HTMX),
        ]
        for response in answers:
            assert is_hidden_page(response, "prod"), (url, response.status_code)
            assert "Production" not in response.text
    assert list(sandbox.requests) == []
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("name", "route", "view"), ROUTES, ids=[r[0] for r in ROUTES])
def test_each_role_gets_what_it_may_in_each_environment(people, sandbox, name, route, view):
    needed = view.required_role
    prod, staging = url_in("prod", route), url_in("staging", route)
    if needed > Role.VIEWER:
        # Val is a Viewer in prod: refused whatever the method, and nothing reaches PostHog.
        answers = [people["val"].get(prod), people["val"].post(prod, {"name": "x"})]
        # 405: the method is not this URL's (checked first); the one it takes is refused.
        refused = [answer for answer in answers if answer.status_code != 405]
        assert refused and all(answer.status_code == 403 for answer in refused), prod
        assert all("you are a Viewer in Production" in answer.text for answer in refused)
        assert list(sandbox.requests) == []
    # Allowed: Abe (Admin) in prod, Val (Editor) in staging unless an Admin is needed; Sol
    # (Viewer) in staging reads.
    allowed = [(people["abe"], prod)]
    if needed <= Role.EDITOR:
        allowed.append((people["val"], staging))
    if needed == Role.VIEWER:
        allowed.append((people["sol"], staging))
    for client, url in allowed:
        for response in (client.get(url), client.post(url, {"name": "x", "filter": "all"})):
            assert response.status_code != 403, (url, response.text[:300])
            assert not is_hidden_page(response, url.split("/")[1])


def test_the_role_in_an_environment_is_its_own_else_the_default(people, two_environments):
    prod, staging = two_environments["prod"], two_environments["staging"]
    val, sol = User.objects.get(username="val"), User.objects.get(username="sol")
    assert (role_of(val), role_in(val, prod), role_in(val, staging)) == (
        Role.EDITOR,
        Role.VIEWER,
        Role.EDITOR,
    )
    assert role_of(sol) is None and role_in(sol, prod) is None
    assert visible_environments(sol) == [staging], "no default role: just the one environment"
    assert visible_environments(User.objects.get(username="hana")) == [staging]


def test_a_superuser_is_admin_everywhere_whatever_their_rows_say(db, two_environments):
    root = User.objects.create_superuser("root", password="x")
    EnvironmentRole.objects.create(user=root, environment="prod", role="none")
    assert role_in(root, two_environments["prod"]) == Role.ADMIN
    assert logged_in(root).get("/prod/keys/").status_code == 200


def test_the_roles_are_read_once_per_request(people, two_environments, django_assert_num_queries):
    val = User.objects.get(username="val")
    with django_assert_num_queries(1):
        for _ in range(3):
            visible_environments(val)
            [role_in(val, environment) for environment in two_environments.values()]
            role_of(val)


def test_a_page_reads_the_roles_once(people):
    with CaptureQueriesContext(connection) as queries:
        assert people["val"].get("/staging/keys/").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "adminui_environmentrole" in q["sql"]]
    assert len(reads) == 1, reads


def test_the_layout_knows_the_role_in_the_current_environment_and_lists_only_visible_ones(
    people, two_environments
):
    prod, staging = two_environments["prod"], two_environments["staging"]
    context = people["val"].get("/prod/keys/").context
    assert context["environments"] == [prod, staging]
    assert (context["role"], context["can_edit"], context["is_admin"]) == (
        Role.VIEWER,
        False,
        False,
    )
    context = people["abe"].get("/prod/keys/").context
    assert (context["role"], context["can_edit"], context["is_admin"]) == (Role.ADMIN, True, True)
    assert not context["manages_users"], "Django's admin needs the default Admin role"
    context = people["sol"].get("/audit/").context
    assert context["environments"] == [staging] and context["environment"] == staging
    assert context["role"] == Role.VIEWER


def test_home_leads_to_the_one_environment_the_user_sees_or_to_all_they_see(people):
    assert people["sol"].get("/")["Location"] == "/staging/"
    assert people["val"].get("/")["Location"] == "/environments/"


def test_a_hidden_environment_looks_like_one_that_does_not_exist(people):
    hidden = people["hana"].get("/prod/keys/")
    unknown = people["hana"].get("/nowhere/keys/")
    assert without_tokens(hidden.text).replace("prod", "nowhere") == without_tokens(unknown.text)
    assert "Production" not in hidden.text and "/prod/" not in hidden.text


def without_tokens(page: str) -> str:
    """A page without what differs on every request: CSP nonces and CSRF tokens."""
    return re.sub(r'(nonce="|"X-CSRFToken": "|value=")[\w-]+', r"\1", page)


def audit_event(slug: str, label: str) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_name="someone",
        environment=slug,
        action="provider_key.delete",
        target_type="provider_key",
        target_label=label,
        outcome=AuditEvent.Outcome.SUCCESS,
    )


def test_the_audit_log_and_its_export_show_only_environments_the_user_sees(people):
    for slug in ("prod", "staging", "retired"):
        audit_event(slug, f"key-of-{slug}")
    for who, seen in (
        ("sol", {"staging"}),
        ("hana", {"staging"}),  # environments now gone: only default Admins read their events
        ("val", {"prod", "staging"}),
    ):
        page = people[who].get("/audit/").text
        export = people[who].get("/audit/export.csv").getvalue().decode()
        for slug in ("prod", "staging", "retired"):
            assert (f"key-of-{slug}" in page) == (slug in seen), (who, slug)
            assert (f"key-of-{slug}" in export) == (slug in seen), (who, slug)


def test_someone_without_any_role_is_told_to_ask_for_one(db, two_environments):
    nobody = logged_in(person("nemo", None, prod="none"))
    response = nobody.get("/prod/keys/")
    assert response.status_code == 403
    assert "no role in adminui yet" in response.text
    assert "Production" not in response.text and "Staging" not in response.text, "no names"
    assert 'aria-label="Main"' not in response.text, "no links that would all be refused"


def test_an_admin_of_one_environment_does_not_manage_users(people):
    assert people["abe"].get("/admin/").status_code == 302


def take_editor_away(username: str, slug: str, role: str) -> None:
    user = User.objects.get(username=username)
    EnvironmentRole.objects.update_or_create(user=user, environment=slug, defaults={"role": role})


@pytest.mark.parametrize("role", ["viewer", "none"])
def test_a_summary_is_not_made_when_the_role_was_taken_away_after_asking(people, sandbox, role):
    evaluation = f"/staging/evaluations/{staging.STAGING_EVAL_TOXICITY}/"
    assert people["val"].post(f"{evaluation}summarize/", {"filter": "all"}).status_code == 302
    take_editor_away("val", "staging", role)

    run_worker()

    summary_request = SummaryRequest.objects.get()
    assert summary_request.status == SummaryRequest.Status.FAILED
    assert summary_request.error_kind == "not_allowed"
    refusal = "Not sent to PostHog: val no longer has the Editor role in Staging."
    assert summary_request.error_message == refusal
    assert sandbox.received(r"summar") == [] and not AuditEvent.objects.exists()
    if role == "viewer":
        assert refusal in people["val"].get(evaluation).text


def test_a_bulk_validation_stops_when_the_role_is_taken_away(people, sandbox):
    keys = [staging.STAGING_KEY_ANTHROPIC_ROTATED, staging.STAGING_KEY_FIREWORKS]
    progress = people["val"].post("/staging/keys/validate/", {"key": keys})["Location"]
    take_editor_away("val", "staging", "viewer")

    run_worker()

    run = BulkValidation.objects.get()
    refusal = "Not sent to PostHog: val no longer has the Editor role in Staging."
    assert run.status == BulkValidation.Status.FINISHED
    assert run.results == {key: {"failure": refusal} for key in keys}
    assert sandbox.received(r"/validate") == [] and not AuditEvent.objects.exists()
    assert people["val"].get(progress).status_code == 403, "the progress page is an Editor's"


def test_a_bulk_validation_still_runs_for_an_editor_there(people, sandbox):
    key = staging.STAGING_KEY_ANTHROPIC_ROTATED
    people["val"].post("/staging/keys/validate/", {"key": [key]})
    run_worker()
    assert BulkValidation.objects.get().results[key]["state"] == "ok"
    assert len(sandbox.received(r"/validate", "POST")) == 1
