"""Where connecting an integration may send the browser: the configured PostHog, or the OAuth
provider PostHog's authorize uses for that kind (docs/posthog-contract.md §3.4).

PostHog's answer is a `Location` the portal would otherwise follow blindly; a compromised or
impersonated PostHog could send people to a look-alike consent page. The hosts come from PostHog's
source: `OauthIntegration._build_oauth_config` in posthog/models/integration/oauth.py (each
kind's `authorize_url`) and `github_app_install_url` in posthog/api/github_callback/types.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.csp import CSP

GOOGLE = ("accounts.google.com",)
META = ("www.facebook.com",)
SALESFORCE = ("login.salesforce.com", "test.salesforce.com")

PROVIDER_HOSTS: dict[str, tuple[str, ...]] = {
    "github": ("github.com",),
    "slack": ("slack.com",),
    "slack-posthog-code": ("slack.com",),
    "posthog": ("us.posthog.com", "eu.posthog.com"),
    "salesforce": SALESFORCE,
    "pardot": SALESFORCE,
    "hubspot": ("app.hubspot.com",),
    "google-ads": GOOGLE,
    "google-analytics": GOOGLE,
    "google-calendar": GOOGLE,
    "google-search-console": GOOGLE,
    "google-sheets": GOOGLE,
    "youtube-analytics": GOOGLE,
    "snapchat": ("accounts.snapchat.com",),
    "linkedin-ads": ("www.linkedin.com",),
    "reddit-ads": ("www.reddit.com",),
    "tiktok-ads": ("business-api.tiktok.com",),
    "bing-ads": ("login.microsoftonline.com",),
    "meta-ads": META,
    "instagram": META,
    "intercom": ("app.intercom.com",),
    "linear": ("linear.app",),
    "clickup": ("app.clickup.com",),
    "jira": ("auth.atlassian.com",),
    "pinterest-ads": ("www.pinterest.com",),
    "stripe": ("marketplace.stripe.com",),
    "resend": ("api.resend.com",),
}

logger = logging.getLogger(__name__)

# Characters browsers and Python's parser read differently (a backslash is a slash to a browser),
# or that no honest URL carries.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refused_destination(url: str, *, kind: str, posthog_host: str) -> str | None:
    """Why the browser must not be sent to `url` to connect `kind`, or None when it may go."""
    if is_legitimate(url, kind=kind, posthog_host=posthog_host):
        return None
    shown = urlsplit(url).hostname or "an address it could not read"
    # The host only: the rest of the URL carries PostHog's OAuth state.
    logger.warning("Refused PostHog's redirect to %s for connecting %s", shown, kind)
    expected = ", ".join(PROVIDER_HOSTS.get(kind, ())) or "PostHog itself"
    return (
        f"PostHog asked to send you to {shown}, which is not where it connects this kind "
        f"({expected}), so the portal did not follow it. Connect it in PostHog instead, and tell "
        "whoever runs your PostHog."
    )


def is_legitimate(url: str, *, kind: str, posthog_host: str) -> bool:
    parts = urlsplit(url)
    if _AMBIGUOUS.search(url) or "@" in parts.netloc:
        return False
    if origin_of(url) == origin_of(posthog_host):
        return True
    try:
        default_port = parts.port is None
    except ValueError:  # a port that is not a number
        return False
    hostname = parts.hostname or ""
    return parts.scheme == "https" and default_port and hostname in PROVIDER_HOSTS.get(kind, ())


def allow_form_posts_to(response: HttpResponse, posthog_host: str, kinds: Iterable[str]) -> None:
    """Without JavaScript, connecting is a form post answered by a redirect to the provider, which
    the CSP's `form-action 'self'` would block: this page may post on to the destinations above."""
    providers = sorted({f"https://{host}" for kind in kinds for host in PROVIDER_HOSTS[kind]})
    response._csp_config = settings.SECURE_CSP | {  # type: ignore[attr-defined]
        "form-action": [CSP.SELF, origin_of(posthog_host), *providers]
    }
