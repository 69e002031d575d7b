"""A real OpenID Connect provider (oidc-provider on Node.js) on loopback, and the portal set up
to sign in with it. `make test` installs the provider's node_modules (npm ci)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from adminui.accounts import oidc
from adminui.accounts.oidc_config import (
    OIDCConfig,
    authentication_backends,
    form_action_sources,
    parse_role_groups,
)

HERE = Path(__file__).resolve().parent
CLIENT_ID = "adminui-tests"
CLIENT_SECRET = "test-client-secret-not-for-production"
PROVIDER_NAME = "Test IdP"
ROLE_GROUPS = "Admin=portal-admins;Editor=ai-team,ml;Viewer=staff"
PASSWORD = "idp-password"
# The provider's fixed accounts: login -> groups (Ada's two groups give Admin and Viewer).
ACCOUNT_GROUPS = {
    "ada": ["portal-admins", "staff"],
    "eddie": ["ml"],
    "vera": ["staff"],
    "nina": ["marketing"],
}
NAMES = {"ada": "Ada Lovelace", "eddie": "Eddie Ng", "vera": "Vera Rubin", "nina": "Nina Simone"}


@dataclass
class Provider:
    issuer: str
    config_path: Path
    config: dict
    private_key: rsa.RSAPrivateKey
    kid: str
    process: subprocess.Popen = field(repr=False)

    def set_groups(self, login: str, groups: list[str]) -> None:
        """The provider re-reads its accounts at each sign-in."""
        self.config["accounts"][login]["groups"] = groups
        self.config_path.write_text(json.dumps(self.config))

    def reset_accounts(self) -> None:
        self.config["accounts"] = accounts()
        self.config_path.write_text(json.dumps(self.config))


def accounts() -> dict:
    return {
        login: {
            "password": PASSWORD,
            "email": f"{login}@example.com",
            "name": NAMES[login],
            "username": login,
            "groups": list(groups),
        }
        for login, groups in ACCOUNT_GROUPS.items()
    }


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    node = shutil.which("node")
    if not node or not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("the test OIDC provider needs Node.js and `npm ci` in tests/oidc (make test)")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key))
    jwk.pop("key_ops")  # PyJWT says "sign" only; the provider also verifies its own tokens
    jwk.update(kid="test-key-1", use="sig", alg="RS256")
    config = {
        "jwks": {"keys": [jwk]},
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{live_server.url}/oidc/callback/"],
                "post_logout_redirect_uris": [f"{live_server.url}/login/"],
            }
        ],
        "accounts": accounts(),
    }
    folder = tmp_path_factory.mktemp("oidc")
    config_path, log_path = folder / "provider.json", folder / "provider.log"
    config_path.write_text(json.dumps(config))
    with log_path.open("w") as log:  # the provider keeps its own copy of the descriptor
        process = subprocess.Popen(
            [node, str(HERE / "provider.mjs"), str(config_path)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        first_line = process.stdout.readline() if process.stdout else ""
        if not first_line:
            process.wait(5)
            pytest.fail(f"the test OIDC provider did not start: {log_path.read_text()[-2000:]}")
        issuer = json.loads(first_line)["issuer"]
        yield Provider(issuer, config_path, config, private_key, jwk["kid"], process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(oidc_provider, settings, transactional_db):
    """The portal signs in with the test provider; local login stays on (break-glass)."""
    oidc_provider.reset_accounts()
    oidc._discover.cache_clear()
    configure(settings, oidc_provider.issuer, local_login=True)
    yield oidc_provider
    oidc._discover.cache_clear()


@pytest.fixture
def sso_without_provider(settings, db):
    """Single sign-on configured, for tests that never reach the provider (a closed port)."""
    configure(settings, "http://127.0.0.1:9", local_login=True)
    return settings


def configure(settings, issuer: str, *, local_login: bool) -> None:
    settings.OIDC = sso_config(issuer)
    settings.LOCAL_LOGIN = local_login
    settings.AUTHENTICATION_BACKENDS = authentication_backends(settings.OIDC, local_login)
    settings.SECURE_CSP = settings.SECURE_CSP | {"form-action": form_action_sources(settings.OIDC)}


def sso_config(issuer: str) -> OIDCConfig:
    return OIDCConfig(
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        role_grants=parse_role_groups(ROLE_GROUPS),
        provider_name=PROVIDER_NAME,
        scopes="openid email profile groups",
    )


def form_of(page: requests.Response, form_pattern: str = r"<form[^>]*>") -> tuple[str, dict]:
    """The action URL and hidden inputs of the first form matching `form_pattern`."""
    tag = re.search(form_pattern, page.text)
    assert tag, f"no form on {page.url}: {page.text[:500]}"
    action = re.search(r'action="([^"]*)"', tag.group(0))
    rest = page.text[tag.start() :]
    hidden = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', rest.split("</form>")[0])
    )
    return urljoin(page.url, action.group(1) if action else page.url), hidden


def sign_in(browser: requests.Session, portal: str, login: str) -> requests.Response:
    """Click "Sign in with ...", then sign in at the provider; the answer after all redirects."""
    login_form = browser.get(f"{portal}/oidc/authenticate/", timeout=20)
    assert "/interaction/" in login_form.url, login_form.url
    action, _ = form_of(login_form)
    return browser.post(action, data={"login": login, "password": PASSWORD}, timeout=20)
