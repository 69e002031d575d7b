"""The single sign-on variables are read strictly: a malformed value stops start-up, naming it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from adminui.accounts.oidc import groups_in, roles_granted
from adminui.accounts.oidc_config import (
    ROLE_NAMES,
    RoleGrant,
    authentication_backends,
    parse_role_groups,
    read_oidc_config,
)
from adminui.web.roles import Role
from tests.test_settings import manage

ISSUER = "https://login.example.com/realms/company"
COMPLETE = {
    "OIDC_ISSUER": ISSUER,
    "OIDC_CLIENT_ID": "adminui",
    "OIDC_CLIENT_SECRET": "s3cret",
    "OIDC_ROLE_GROUPS": "Admin=portal-admins;Editor=ai-team,ml;Viewer=staff",
}


@pytest.fixture
def environ(monkeypatch):
    for name in [*COMPLETE, "OIDC_CLIENT_SECRET_FILE", "OIDC_SCOPES", "OIDC_PROVIDER_NAME"]:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def test_the_role_names_are_the_portals_roles():
    assert tuple(role.label for role in sorted(Role)) == ROLE_NAMES


def test_the_mapping_format_reads_roles_and_their_groups():
    assert parse_role_groups(" admin = portal-admins ; Editor=ai-team, ml;Viewer=Staff Team;") == (
        RoleGrant("Admin", frozenset({"portal-admins"})),
        RoleGrant("Editor", frozenset({"ai-team", "ml"})),
        RoleGrant("Viewer", frozenset({"Staff Team"})),
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Admin", "needs the form Role=group,group"),
        ("Admin=", "needs the form Role=group,group"),
        ("Owner=founders", "'Owner' is not a role"),
        ("Editor=ml;Editor=ai-team", "Editor appears twice"),
        ("Editor@Staging=ml", "'Staging' in 'Editor@Staging=ml' is not an environment's slug"),
        ("None=ml", "'None' is not a role (use Viewer, Editor, Admin, or None with @environment)"),
        ("Viewer@prod=ml;viewer@prod=staff", "Viewer@prod appears twice"),
        (";", "maps no group to a role"),
    ],
)
def test_a_malformed_mapping_is_refused_with_the_reason(value, message):
    with pytest.raises(ImproperlyConfigured, match="OIDC_ROLE_GROUPS is malformed") as error:
        parse_role_groups(value)
    assert message in str(error.value)


def test_the_highest_role_a_person_s_groups_give_wins():
    grants = parse_role_groups(COMPLETE["OIDC_ROLE_GROUPS"])
    assert roles_granted(grants, {"staff", "ml"}) == {None: Role.EDITOR}
    assert roles_granted(grants, {"portal-admins", "staff"}) == {None: Role.ADMIN}
    assert roles_granted(grants, {"marketing"}) == {}


def test_a_role_can_be_given_in_one_environment_or_no_access_to_it():
    grants = parse_role_groups("Editor=ml;Viewer@prod=ml;Admin@prod=leads;none@prod=contractors")
    assert grants[1] == RoleGrant("Viewer", frozenset({"ml"}), environment="prod")
    assert grants[3] == RoleGrant("None", frozenset({"contractors"}), environment="prod")
    assert roles_granted(grants, {"ml"}) == {None: Role.EDITOR, "prod": Role.VIEWER}
    assert roles_granted(grants, {"ml", "leads"}) == {None: Role.EDITOR, "prod": Role.ADMIN}
    # No access counts only where none of the person's groups gives a role.
    assert roles_granted(grants, {"contractors"}) == {"prod": None}
    assert roles_granted(grants, {"contractors", "ml"}) == {None: Role.EDITOR, "prod": Role.VIEWER}


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        ({"groups": ["a", "b"]}, {"a", "b"}),
        ({"groups": "a"}, {"a"}),
        ({"groups": None}, set()),
        ({}, set()),
        ({"groups": [{"name": "a"}]}, set()),
    ],
)
def test_the_groups_claim_is_read_as_a_set(claims, groups):
    assert groups_in(claims, "groups") == groups


def test_a_dotted_groups_claim_reads_a_nested_claim():
    claims = {"realm_access": {"roles": ["portal-admins"]}}
    assert groups_in(claims, "realm_access.roles") == {"portal-admins"}


def test_without_an_issuer_single_sign_on_is_off(environ):
    assert read_oidc_config() is None


def test_a_complete_configuration_is_read(environ):
    environ(**COMPLETE, OIDC_PROVIDER_NAME="Okta")
    config = read_oidc_config()
    assert config is not None
    assert (config.issuer, config.client_id, config.client_secret) == (ISSUER, "adminui", "s3cret")
    assert (config.provider_name, config.groups_claim, config.scopes) == (
        "Okta",
        "groups",
        "openid email profile",
    )


def test_the_client_secret_can_come_from_a_file(environ, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    environ(**{**COMPLETE, "OIDC_CLIENT_SECRET": ""}, OIDC_CLIENT_SECRET_FILE=str(secret))
    assert read_oidc_config().client_secret == "from-a-file"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID is required when OIDC_ISSUER is set"),
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE) is required"),
        ({"OIDC_ROLE_GROUPS": ""}, "OIDC_ROLE_GROUPS is required"),
        ({"OIDC_ISSUER": "login.example.com"}, "OIDC_ISSUER must be a URL"),
        ({"OIDC_SCOPES": "email profile"}, "OIDC_SCOPES must include openid"),
        ({"OIDC_SIGNING_ALGORITHM": "HS256"}, "OIDC_SIGNING_ALGORITHM must be one of RS256"),
        ({"OIDC_ISSUER": ""}, "OIDC_CLIENT_ID is set but OIDC_ISSUER is not"),
    ],
)
def test_an_incomplete_or_malformed_configuration_names_the_variable(environ, variables, message):
    environ(**{**COMPLETE, **variables})
    with pytest.raises(ImproperlyConfigured) as error:
        read_oidc_config()
    assert message in str(error.value)


def test_local_login_cannot_be_off_without_single_sign_on():
    with pytest.raises(ImproperlyConfigured, match="LOCAL_LOGIN=off needs OIDC_ISSUER"):
        authentication_backends(None, local_login=False)


def test_a_malformed_mapping_stops_start_up():
    result = manage("check", **{**COMPLETE, "OIDC_ROLE_GROUPS": "Owner=founders"})
    assert result.returncode != 0
    assert "OIDC_ROLE_GROUPS is malformed: 'Owner' is not a role" in result.stderr


def test_a_complete_configuration_passes_the_checks():
    result = manage("check", **COMPLETE, LOCAL_LOGIN="off")
    assert result.returncode == 0, result.stderr
