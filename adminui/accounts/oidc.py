"""Sign-in with the company's identity provider (OpenID Connect, through mozilla-django-oidc).

The library runs the authorization code flow (state, nonce, PKCE) and checks the ID token's
signature against the provider's JWKS. This module adds what the portal needs around it:
endpoints discovered from the issuer, the ID token's issuer and audience checked too, users
matched on the provider's subject, and their role set from their IdP groups at every sign-in.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from adminui.accounts.grants import replace_environment_roles, set_default_role
from adminui.accounts.models import ExternalIdentity
from adminui.accounts.oidc_config import NO_ACCESS_NAME, OIDCConfig, RoleGrant
from adminui.web.roles import Role

logger = logging.getLogger(__name__)

# (connect, read) seconds for every call to the provider: a sign-in waits on them.
TIMEOUT = (3.05, 10.0)
# Clock skew tolerated between the provider and this server when checking exp and iat.
LEEWAY_SECONDS = 60


class ProviderUnavailable(Exception):
    """The provider's configuration could not be read; the message says where and why."""


class SignInRefused(Exception):
    """The provider vouched for the person, but the portal will not let them in."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


def oidc_config() -> OIDCConfig:
    if settings.OIDC is None:
        raise ProviderUnavailable("Single sign-on is not configured (OIDC_ISSUER is unset).")
    return settings.OIDC


def provider_metadata() -> ProviderMetadata:
    return _discover(oidc_config().issuer)


@functools.lru_cache(maxsize=8)
def _discover(issuer: str) -> ProviderMetadata:
    """Read {issuer}/.well-known/openid-configuration once per process (failures are retried)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("OIDC discovery failed for %s: %s", url, error)
        raise ProviderUnavailable(f"could not read {url} ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        said = document.get("issuer") if isinstance(document, dict) else None
        raise ProviderUnavailable(
            f"{url} names issuer {said!r}; OIDC_ISSUER must be exactly that, not {issuer!r}"
        )
    required = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    missing = [name for name in required if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"{url} has no {', '.join(missing)}")
    return ProviderMetadata(
        issuer=issuer,
        **{name: document[name] for name in required},
        end_session_endpoint=document.get("end_session_endpoint") or None,
    )


def library_setting(name: str, *default: Any) -> Any:
    """The library's settings, taken from OIDC_* variables instead of Django settings of its own."""
    config = oidc_config()
    values = {
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_USE_PKCE": True,
        # Kept in the session for logout at the provider (its id_token_hint).
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_TIMEOUT": TIMEOUT,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc-callback",
    }
    return values[name] if name in values else import_from_settings(name, *default)


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the provider's answer at the callback; permissions as ModelBackend's."""

    get_settings = staticmethod(library_setting)
    # Django loads backends on every request (for request.user): keep construction free of I/O.
    get_user = ModelBackend.get_user

    def __init__(self) -> None:
        self.UserModel = User

    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_RP_CLIENT_ID = property(lambda self: oidc_config().client_id)
    OIDC_RP_CLIENT_SECRET = property(lambda self: oidc_config().client_secret)
    OIDC_RP_SIGN_ALGO = property(lambda self: oidc_config().signing_algorithm)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_metadata().token_endpoint)
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_metadata().userinfo_endpoint)
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_metadata().jwks_uri)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password form's credentials are not for us.
        if settings.OIDC is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        """The library checks the signature and expiry only; the issuer and audience matter too:
        a token the provider issued to another client must not sign anyone in here."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {algorithm!r}, not the configured one")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider_metadata().issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def verify_token(self, token, **kwargs):
        try:
            claims = super().verify_token(token, **kwargs)
        except (jwt.InvalidTokenError, KeyError, TypeError) as error:
            # A token without a kid or alg, or no JWT at all: refused like a bad signature.
            raise SuspiciousOperation(f"ID token refused: {error!r}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences names another azp")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """Userinfo claims over the ID token's; the same person or nothing (OIDC Core 5.3.2)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token, id_token, payload):
        config = oidc_config()
        claims = self.get_userinfo(access_token, id_token, payload)
        groups = groups_in(claims, config.groups_claim)
        granted = roles_granted(config.role_grants, groups)
        role = granted.get(None)
        in_environments = {slug: granted[slug] for slug in granted if slug is not None}
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(issuer=config.issuer, subject=str(claims["sub"]))
            .first()
        )
        if role is None and not any(in_environments.values()):
            if identity:
                set_roles(identity.user, None, {})
            logger.info("OIDC sign-in of %s refused: groups %s give no role", claims["sub"], groups)
            raise SignInRefused(no_role_message(config))
        if identity and not identity.user.is_active:
            raise SignInRefused("Your adminui account is disabled. Ask an Admin.")
        with transaction.atomic():
            if identity is None:
                identity = ExternalIdentity(
                    issuer=config.issuer, subject=str(claims["sub"]), user=new_user(claims)
                )
            update_profile(identity.user, claims)
            set_roles(identity.user, role, in_environments)
            identity.last_sign_in_at, identity.last_groups = timezone.now(), sorted(groups)
            identity.save()
        return identity.user


def groups_in(claims: dict[str, Any], claim: str) -> set[str]:
    """The groups claim as a set; a dotted name reads a nested claim (realm_access.roles)."""
    value: Any = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(item) for item in value if isinstance(item, str | int)}
    return set()


def roles_granted(grants: tuple[RoleGrant, ...], groups: set[str]) -> dict[str | None, Role | None]:
    """The role each environment gets from these groups (key None: the default role): the
    highest their grants give; in an environment, None (no access) only when no grant there
    gives a role."""
    granted: dict[str | None, Role | None] = {}
    for grant in grants:
        if not grant.groups & groups:
            continue
        role = None if grant.role == NO_ACCESS_NAME else Role[grant.role.upper()]
        current = granted.get(grant.environment)
        if grant.environment not in granted or (role and (current is None or role > current)):
            granted[grant.environment] = role
    return granted


def set_roles(user: User, role: Role | None, in_environments: dict[str, Role | None]) -> None:
    """The provider decides every role: the default one and each environment's, nothing else."""
    set_default_role(user, role)
    replace_environment_roles(user, in_environments)


def new_user(claims: dict[str, Any]) -> User:
    """A user with no usable password (they sign in at the provider), under a free username."""
    base = _username_from(claims)
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base[:140]}-{number}"
    return User.objects.create_user(username)


def _username_from(claims: dict[str, Any]) -> str:
    for claim in ("preferred_username", "email", "sub"):
        cleaned = "".join(c for c in str(claims.get(claim) or "") if c.isalnum() or c in "@.+-_")
        if cleaned:
            return cleaned[:150]
    return "user"


def update_profile(user: User, claims: dict[str, Any]) -> None:
    """Name and e-mail follow the provider, as the role does."""
    user.email = str(claims.get("email") or user.email)[:254]
    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    user.save()


def no_role_message(config: OIDCConfig) -> str:
    return (
        f"You signed in with {config.provider_name}, but none of your groups there gives a role "
        "in adminui, so you cannot use it yet. Ask an Admin which group to join."
    )
