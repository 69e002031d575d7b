"""Single sign-on settings, read strictly from the environment by settings.py.

This module runs while Django loads its settings, before any app is ready: it must not import
models (the roles are named here as text and turned into `Role` at sign-in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from adminui.env import env_choice, env_secret, env_str, env_url

# The portal's roles by name, lowest first (adminui.web.roles.Role; a test keeps them equal).
ROLE_NAMES = ("Viewer", "Editor", "Admin")
# Asymmetric only: a symmetric ID token would be signed with the client secret itself.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_ROLE_GROUPS = "OIDC_ROLE_GROUPS"


# `None@prod=contractors`: members of those groups get no access to prod (unless another of
# their groups gives them a role there).
NO_ACCESS_NAME = "None"
# An environment's slug, as in its URLs (adminui.urls.EnvironmentConverter).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class RoleGrant:
    """Members of any of `groups` get `role` (a role name, or NO_ACCESS_NAME); in `environment`
    only, in place of their default role (None: the default role)."""

    role: str
    groups: frozenset[str]
    environment: str | None = None


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    client_id: str
    client_secret: str
    role_grants: tuple[RoleGrant, ...]
    groups_claim: str = "groups"
    provider_name: str = "single sign-on"
    scopes: str = "openid email profile"
    signing_algorithm: str = "RS256"


def read_oidc_config() -> OIDCConfig | None:
    """The OIDC_* variables, or None when OIDC_ISSUER is unset (sign-in with passwords only)."""
    issuer = env_str("OIDC_ISSUER")
    if not issuer:
        stray = [name for name in ("OIDC_CLIENT_ID", _ROLE_GROUPS) if env_str(name)]
        if stray:
            raise ImproperlyConfigured(f"{stray[0]} is set but OIDC_ISSUER is not.")
        return None
    env_url("OIDC_ISSUER")  # validates; the issuer itself is kept exactly as written
    scopes = env_str("OIDC_SCOPES", OIDCConfig.scopes)
    if "openid" not in scopes.split():
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid, not {scopes!r}.")
    return OIDCConfig(
        issuer=issuer,
        client_id=_required("OIDC_CLIENT_ID", env_str("OIDC_CLIENT_ID")),
        client_secret=_required("OIDC_CLIENT_SECRET", env_secret("OIDC_CLIENT_SECRET")),
        role_grants=parse_role_groups(_required(_ROLE_GROUPS, env_str(_ROLE_GROUPS))),
        groups_claim=env_str("OIDC_GROUPS_CLAIM", OIDCConfig.groups_claim),
        provider_name=env_str("OIDC_PROVIDER_NAME", OIDCConfig.provider_name),
        scopes=scopes,
        signing_algorithm=env_choice(
            "OIDC_SIGNING_ALGORITHM", OIDCConfig.signing_algorithm, SIGNING_ALGORITHMS
        ),
    )


def _required(name: str, value: str) -> str:
    if not value:
        hint = " (or OIDC_CLIENT_SECRET_FILE)" if name == "OIDC_CLIENT_SECRET" else ""
        raise ImproperlyConfigured(f"{name}{hint} is required when OIDC_ISSUER is set.")
    return value


def parse_role_groups(text: str) -> tuple[RoleGrant, ...]:
    """`Admin=portal-admins;Editor=ai-team,ml;Viewer=staff;Viewer@prod=ml`: entries split by
    `;`, each a role (with `@environment`: in that environment only, where `None` means no
    access), `=`, and the IdP groups that grant it split by `,`."""
    grants: list[RoleGrant] = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        role_part, equals, groups_part = entry.partition("=")
        role_name, at, environment = (part.strip() for part in role_part.partition("@"))
        names = (*ROLE_NAMES, NO_ACCESS_NAME) if at else ROLE_NAMES
        role = next((name for name in names if name.lower() == role_name.lower()), None)
        groups = frozenset(filter(None, (group.strip() for group in groups_part.split(","))))
        if not equals or not groups:
            _malformed(f"{entry!r} needs the form Role=group,group")
        if role is None:
            also = f", or {NO_ACCESS_NAME} with @environment" if not at else f", {NO_ACCESS_NAME}"
            _malformed(f"{role_name!r} is not a role (use {', '.join(ROLE_NAMES)}{also})")
        if at and not _SLUG.fullmatch(environment):
            _malformed(f"{environment!r} in {entry!r} is not an environment's slug")
        grant = RoleGrant(role=role, groups=groups, environment=environment or None)
        if any((g.role, g.environment) == (grant.role, grant.environment) for g in grants):
            where = f"@{environment}" if at else ""
            _malformed(f"{role}{where} appears twice; list all its groups in one entry")
        grants.append(grant)
    if not grants:
        _malformed("it maps no group to a role")
    return tuple(grants)


def _malformed(reason: str) -> NoReturn:
    raise ImproperlyConfigured(
        f"{_ROLE_GROUPS} is malformed: {reason}. Example: "
        "Admin=portal-admins;Editor=ai-team,ml;Viewer=staff;Viewer@prod=ml"
    )


def authentication_backends(oidc: OIDCConfig | None, local_login: bool) -> list[str]:
    """Without local login the password backend is gone, so no form (the admin's included)
    accepts a password. With it, the login throttle comes just before the password backend: it
    refuses a locked account or address before any password is checked."""
    if oidc is None and not local_login:
        raise ImproperlyConfigured("LOCAL_LOGIN=off needs OIDC_ISSUER: nobody could sign in.")
    backends = ["adminui.accounts.oidc.PortalOIDCBackend"] if oidc else []
    if local_login:
        backends += [
            "adminui.accounts.throttle.PasswordLoginThrottle",
            "django.contrib.auth.backends.ModelBackend",
        ]
    return backends


def form_action_sources(oidc: OIDCConfig | None) -> list[str]:
    """CSP ``form-action``: the portal, and the identity provider's origin when OIDC is on
    (logging out is a form whose answer redirects to the provider's end-session page)."""
    if oidc is None:
        return [CSP.SELF]
    issuer = urlsplit(oidc.issuer)
    return [CSP.SELF, f"{issuer.scheme}://{issuer.netloc}"]
