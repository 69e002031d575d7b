"""Tampered answers are refused: ID tokens forged with the test provider's own key (or another
one) go through the backend's verification against the provider's real JWKS, and a tampered
callback goes through the whole flow."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation

from adminui.accounts.oidc import PortalOIDCBackend
from tests.oidc.conftest import CLIENT_ID, CLIENT_SECRET, PASSWORD, form_of

NONCE = "nonce-from-the-session"
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forge(provider, key=None, algorithm: str = "RS256", **changes) -> str:
    """An ID token as the provider would sign it, with `changes` (None drops a claim)."""
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "ada",
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
    }
    claims = {k: v for k, v in {**claims, **changes}.items() if v is not None}
    signing_key = provider.private_key if key is None else key
    return jwt.encode(claims, signing_key, algorithm=algorithm, headers={"kid": provider.kid})


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def edited_payload(token: str, **changes) -> str:
    header, _, signature = token.split(".")
    claims = {**claims_of(token), **changes}
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return f"{header}.{edited.decode()}.{signature}"


def verify(token: str) -> dict:
    return PortalOIDCBackend().verify_token(token, nonce=NONCE)


def test_a_token_the_provider_signed_for_this_portal_is_accepted(sso):
    assert verify(forge(sso))["sub"] == "ada"


TAMPERED = {
    "signed-with-another-key": lambda p: forge(p, key=OTHER_KEY),
    "payload-edited-after-signing": lambda p: edited_payload(forge(p), sub="someone-else"),
    "wrong-audience": lambda p: forge(p, aud="another-client"),
    "several-audiences-no-azp": lambda p: forge(p, aud=[CLIENT_ID, "another-client"]),
    "wrong-issuer": lambda p: forge(p, iss="http://127.0.0.1:1"),
    "expired": lambda p: forge(p, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "no-expiry": lambda p: forge(p, exp=None),
    "wrong-nonce": lambda p: forge(p, nonce="a-replayed-sign-in"),
    "no-nonce": lambda p: forge(p, nonce=None),
    "hs256-with-the-client-secret": lambda p: forge(p, key=CLIENT_SECRET, algorithm="HS256"),
    "alg-none": lambda p: jwt.encode({"sub": "ada"}, None, algorithm="none"),
    "no-key-id": lambda p: jwt.encode(claims_of(forge(p)), p.private_key, algorithm="RS256"),
    "not-a-jwt": lambda p: "not.a.token",
}


@pytest.mark.parametrize("case", TAMPERED, ids=list(TAMPERED))
def test_a_tampered_id_token_is_refused(sso, case):
    with pytest.raises(SuspiciousOperation):
        verify(TAMPERED[case](sso))


def callback_url(browser: requests.Session, portal: str, login: str) -> str:
    """Sign in at the provider, and stop at the redirect back to the portal's callback."""
    action, _ = form_of(browser.get(f"{portal}/oidc/authenticate/", timeout=10))
    answer = browser.post(
        action, data={"login": login, "password": PASSWORD}, allow_redirects=False, timeout=10
    )
    while "/oidc/callback/" not in answer.headers.get("Location", ""):
        location = urljoin(answer.url, answer.headers["Location"])
        answer = browser.get(location, allow_redirects=False, timeout=10)
    return answer.headers["Location"]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = urlencode({**dict(parse_qsl(parts.query)), **changes})
    return parts._replace(query=query).geturl()


def test_a_callback_with_a_made_up_code_signs_nobody_in(sso, live_server):
    with requests.Session() as browser:
        callback = callback_url(browser, live_server.url, "ada")
        landing = browser.get(with_query(callback, code="made-up-code"), timeout=10)
        assert landing.url == f"{live_server.url}/login/"
        assert "could not be verified" in landing.text
        assert not User.objects.exists()


def test_a_callback_used_twice_signs_in_once(sso, live_server):
    with requests.Session() as browser:
        callback = callback_url(browser, live_server.url, "ada")
        assert browser.get(callback, timeout=10).url == f"{live_server.url}/sandbox/"
    with requests.Session() as replay:
        landing = replay.get(callback, timeout=10)
        assert landing.url == f"{live_server.url}/login/"
        assert replay.get(f"{live_server.url}/sandbox/", timeout=10).url.startswith(
            f"{live_server.url}/login/"
        )
