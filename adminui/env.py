"""Strict readers for settings that come from the environment.

Each helper raises ImproperlyConfigured naming the variable when a value is malformed, so a
typo stops start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = env_str(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {value!r}.") from None
    if number <= minimum:
        raise ImproperlyConfigured(f"{name} must be greater than {minimum:g}, not {number:g}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    from urllib.parse import urlsplit

    value = env_str(name, default)
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        # A URL may carry a password (redis://:secret@host): never echo one.
        shown = "a URL with credentials" if "@" in parts.netloc else repr(value)
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, "
            f"not {shown}."
        )
    return value.rstrip("/")


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (for Docker and systemd secrets)."""
    file_name = env_str(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points to {file_name!r}, which is not a file.")
        value = path.read_text().strip()
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE points to an empty file.")
        return value
    return env_str(name, default)


def env_secret_url(name: str) -> str:
    """A URL that is itself a secret (a Slack or webhook address), read like `env_secret`; a
    malformed one is refused without being echoed."""
    from urllib.parse import urlsplit

    value = env_secret(name)
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ImproperlyConfigured(f"{name} must be a URL starting with https:// or http://.")
    return value


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_duration(name: str, default: str) -> timedelta:
    """A duration such as `90s`, `30m`, `4h` or `14d` (a bare number is seconds)."""
    value = env_str(name, default).lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", value)
    seconds = float(match[1]) * _DURATION_UNITS[match[2] or "s"] if match else 0
    if seconds <= 0:
        raise ImproperlyConfigured(
            f"{name} must be a duration such as 90s, 30m, 4h or 14d, not {value!r}."
        )
    return timedelta(seconds=seconds)
