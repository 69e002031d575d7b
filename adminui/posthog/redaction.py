"""Keep secrets out of logs, error messages and audit summaries.

Two kinds of secret reach this process: the personal API key of each PostHog environment, and
LLM provider keys that admins type into forms. Both are registered here (the client registers
every ``api_key`` it sends) so that `redact` can mask them wherever they might surface, e.g. in a
PostHog error detail that echoes the request, or in a traceback. Anything that merely *looks*
like a token (``phx_...``, ``sk-...``) is masked too, for secrets that were never registered.

The registry lives for the process and is bounded, so a long-running server cannot grow it
without limit; the oldest secrets are forgotten first.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

MASK = "********"
REDACTED = "[redacted]"

# Shorter values would mask ordinary words; no real API key is this short.
MIN_SECRET_LENGTH = 6
MAX_REGISTERED_SECRETS = 512

# Keys whose values never belong in a log line or an audit summary.
SENSITIVE_KEYS = frozenset(
    {
        "api_key",
        "personal_api_key",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "secret",
        "client_secret",
        "password",
        "authorization",
        "sensitive_config",
        "private_key",
    }
)
_SENSITIVE_SUFFIXES = ("_api_key", "_secret", "_token", "_password")

# Token shapes worth masking even when nobody registered them. The first group is kept so a
# reader can still tell which kind of credential was there.
_TOKEN_PATTERNS = (
    re.compile(r"\b(ph[xsa]_)[A-Za-z0-9_\-]{8,}"),  # PostHog personal / secret / OAuth keys
    re.compile(r"\b(sk-)[A-Za-z0-9_\-]{8,}"),  # OpenAI, Anthropic, OpenRouter, Zeabur ...
    re.compile(r"\b(AIza)[0-9A-Za-z_\-]{20,}"),  # Google API keys
    re.compile(r"\b(fw_)[A-Za-z0-9]{8,}"),  # Fireworks
    re.compile(r"\b(Bearer\s+)[^\s\"',;]+", re.IGNORECASE),
)

_lock = threading.Lock()
_secrets: OrderedDict[str, None] = OrderedDict()
_secrets_pattern: re.Pattern[str] | None = None


def register_secret(value: object) -> None:
    """Remember ``value`` as a secret to mask from now on (no-op for blanks and short strings)."""
    global _secrets_pattern
    if not isinstance(value, str) or len(value.strip()) < MIN_SECRET_LENGTH:
        return
    variants = {value, value.strip(), quote(value, safe="")}
    with _lock:
        for variant in variants:
            _secrets[variant] = None
            _secrets.move_to_end(variant)
        while len(_secrets) > MAX_REGISTERED_SECRETS:
            _secrets.popitem(last=False)
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: object) -> str:
    """Return ``text`` as a string with every registered secret and token-shaped value masked."""
    result = text if isinstance(text, str) else str(text)
    pattern = _secrets_pattern
    if pattern is not None:
        result = pattern.sub(MASK, result)
    for token in _TOKEN_PATTERNS:
        result = token.sub(lambda m: m.group(1) + MASK, result)
    return result


def is_sensitive_key(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_KEYS or lowered.endswith(_SENSITIVE_SUFFIXES)


def redact_url(url: str) -> str:
    """Mask sensitive query parameters (``token=``, ``api_key=`` ...) and any secret in a URL."""
    parts = urlsplit(url)
    if parts.query:
        pairs = [
            (name, REDACTED if is_sensitive_key(name) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        parts = parts._replace(query=urlencode(pairs, safe="[]"))
    return redact(urlunsplit(parts))


def redact_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``payload`` for an audit summary: sensitive keys masked, every string redacted.

    A sensitive key that was given keeps its place with the value ``"[redacted]"`` so the audit
    still says *that* a new API key was submitted, never what it was.
    """
    return {str(key): _redact_value(str(key), value) for key, value in payload.items()}


def _redact_value(key: str, value: Any) -> Any:
    if is_sensitive_key(key):
        return value if value in (None, "") else REDACTED
    if isinstance(value, Mapping):
        return redact_payload(value)
    if isinstance(value, (list, tuple)):
        return [_redact_value("", item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


class RedactSecretsFilter(logging.Filter):
    """Logging filter that masks secrets in the rendered message and any traceback.

    The message is rendered once (``msg % args``) and the args dropped, so masking cannot break
    ``%d``-style placeholders. Records are never discarded.
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        _register_configured_secrets()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, masked
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# Settings that hold a secret from start-up (an alert webhook's URL is one: its path is the key).
CONFIGURED_SECRETS = (
    "POSTHOG_PERSONAL_API_KEY",
    "ALERT_SLACK_WEBHOOK_URL",
    "ALERT_WEBHOOK_URL",
    "ALERT_WEBHOOK_SECRET",
)


def _register_configured_secrets() -> None:
    """Register the settings' secrets (the personal API key, the global alert channels', the
    mail password) before any client or notification exists to do so.

    Logging is configured during ``django.setup()``; a log line written before the first
    PostHog client is built or the first alert is sent must still not leak them.
    """
    try:
        from django.conf import settings

        for name in CONFIGURED_SECRETS:
            register_secret(getattr(settings, name, None))
        mailer = getattr(settings, "MAILERS", {}).get("default", {})
        register_secret(mailer.get("OPTIONS", {}).get("password"))
    except Exception:  # settings not configured (e.g. a bare script): nothing to register
        pass
