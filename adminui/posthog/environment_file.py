"""The environments file (``ADMINUI_ENVIRONMENTS_FILE``): several PostHog projects, strictly read.

One ``[[environment]]`` table per environment (the README's "Environments file" lists every
field). Validation is strict so a typo stops start-up instead of quietly dropping a setting:
every problem is an `EnvironmentsFileError` whose message names the file, the entry (its
position and slug) and the field. Keys, webhook URLs and the webhook secret are secrets: they
come only from a file or an environment variable, never from this file, and no message shows one.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from adminui.posthog.environments import AUTO_PREFIX, AlertChannels, PostHogEnvironment
from adminui.posthog.redaction import register_secret

# The environment URL converter's pattern (adminui/urls.py), anchored.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# Slugs that would shadow a top-level page: /<slug>/ must always mean an environment.
RESERVED_SLUGS = frozenset(
    {"admin", "alerts", "audit", "environments", "healthz", "keys", "login", "logout", "oidc"}
    | {"readyz", "static"}
)
# An environment's colour in the portal (the switcher's marker): a small palette the CSS styles.
ENVIRONMENT_COLOURS = (
    "red",
    "orange",
    "amber",
    "yellow",
    "green",
    "teal",
    "blue",
    "purple",
    "grey",
)
API_PREFIXES = (AUTO_PREFIX, "environments", "projects")

_FIELDS = frozenset(
    {"slug", "name", "host", "project_id", "api_prefix", "colour", "failover", "alerts"}
    | {"personal_api_key_file", "personal_api_key_env"}
)
_ALERT_SECRETS = ("slack_webhook_url", "webhook_url", "webhook_secret")
_ALERT_FIELDS = frozenset(
    {"email_to"} | {f"{name}_{source}" for name in _ALERT_SECRETS for source in ("file", "env")}
)
_SECRETS = ("personal_api_key", *_ALERT_SECRETS)  # named inline, each gets its own hint


class EnvironmentsFileError(ImproperlyConfigured):
    """A problem in the environments file, located as precisely as it can be."""

    def __init__(
        self, path: str, problem: str, *, index: int | None = None, slug: str = "", field: str = ""
    ) -> None:
        where = [f"environment #{index}" + (f" ({slug!r})" if slug else "")] if index else []
        where += [f"field {field!r}"] if field else []
        located = ", ".join(where) + ": " if where else ""
        super().__init__(f"{path}: {located}{problem}")
        self.path, self.index, self.slug, self.field = path, index, slug, field


@dataclass(frozen=True)
class GlobalSettings:
    """What an environment takes from the settings: the default prefix and the timeouts."""

    api_prefix: str = AUTO_PREFIX
    connect_timeout: float = 3.05
    read_timeout: float = 15.0
    llm_read_timeout: float = 90.0
    sandbox_url: str = ""  # the local sandbox's URL in sandbox mode: its environments are demos


def load_environments_file(path: str, defaults: GlobalSettings) -> list[PostHogEnvironment]:
    """Every environment in the file, in its order (the first is the default)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EnvironmentsFileError(path, f"cannot be read ({error.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise EnvironmentsFileError(path, f"is not valid TOML: {error}.") from None
    if unknown := sorted(set(data) - {"environment"}):
        raise EnvironmentsFileError(
            path, f"unknown top-level key {unknown[0]!r}: the file holds [[environment]] tables."
        )
    tables = data.get("environment")
    if not isinstance(tables, list) or not tables:
        raise EnvironmentsFileError(path, "defines no environment: add an [[environment]] table.")
    environments: list[PostHogEnvironment] = []
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise EnvironmentsFileError(path, "is not a table.", index=index)
        environment = _Entry(path, index, table).environment(defaults)
        if any(other.slug == environment.slug for other in environments):
            raise EnvironmentsFileError(
                path, "is used by an earlier environment: slugs must be unique.",
                index=index, slug=environment.slug, field="slug",
            )  # fmt: skip
        environments.append(environment)
    return environments


class _Entry:
    """One ``[[environment]]`` table, read field by field."""

    def __init__(self, path: str, index: int, table: dict[str, Any]) -> None:
        self.path, self.index, self.table = path, index, table
        slug = table.get("slug")
        self.slug = slug if isinstance(slug, str) else ""

    def error(self, field: str, problem: str) -> EnvironmentsFileError:
        return EnvironmentsFileError(
            self.path, problem, index=self.index, slug=self.slug, field=field
        )

    def environment(self, defaults: GlobalSettings) -> PostHogEnvironment:
        self.refuse_unknown(self.table, _FIELDS, "")
        # In the order of the README's example, so the first problem reported is the topmost.
        slug, name, host, project_id = (
            self.slug_field(),
            self.text("name"),
            self.host(),
            self.project_id(),
        )
        return PostHogEnvironment(
            slug=slug,
            name=name,
            host=host,
            project_id=project_id,
            api_prefix=self.choice("api_prefix", API_PREFIXES, defaults.api_prefix),
            personal_api_key=self.secret(self.table, "personal_api_key", "", required=True) or "",
            sandbox=bool(defaults.sandbox_url) and host == defaults.sandbox_url.rstrip("/"),
            connect_timeout=defaults.connect_timeout,
            read_timeout=defaults.read_timeout,
            llm_read_timeout=defaults.llm_read_timeout,
            colour=self.choice("colour", ENVIRONMENT_COLOURS, ""),
            failover=self.boolean("failover"),
            alert_channels=self.alert_channels(),
        )

    def refuse_unknown(self, table: dict[str, Any], known: frozenset[str], prefix: str) -> None:
        for name in table:
            if name in known:
                continue
            if name in _SECRETS:
                raise self.error(
                    prefix + name,
                    f"is a secret and never written here: use {name}_file (a file holding it) "
                    f"or {name}_env (an environment variable holding it).",
                )
            raise self.error(
                prefix + name, f"is unknown; known fields: {', '.join(sorted(known))}."
            )

    def text(self, field: str) -> str:
        value = self.table.get(field)
        if value is None:
            raise self.error(field, "is required.")
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty string.")
        return value.strip()

    def slug_field(self) -> str:
        slug = self.text("slug")
        if not SLUG.fullmatch(slug):
            raise self.error(
                "slug", f"{slug!r} must be lowercase letters, digits and hyphens, starting with "
                "a letter or digit (it is part of every URL of the environment).",
            )  # fmt: skip
        if slug in RESERVED_SLUGS:
            raise self.error("slug", f"{slug!r} is taken by one of the portal's own pages.")
        return slug

    def host(self) -> str:
        host = self.text("host")
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
            raise self.error(
                "host", "must be PostHog's address, such as https://us.posthog.com, "
                "without credentials.",
            )  # fmt: skip
        return host.rstrip("/")

    def project_id(self) -> int:
        value = self.table.get("project_id")
        if value is None:
            raise self.error("project_id", "is required.")
        # TOML booleans are not project ids, though Python counts them as ints.
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.error("project_id", "must be a positive whole number, such as 12345.")
        return value

    def choice(self, field: str, choices: tuple[str, ...], default: str) -> str:
        if field not in self.table:
            return default
        value = self.table[field]
        if value not in choices:
            raise self.error(field, f"must be one of {', '.join(choices)}, not {value!r}.")
        return str(value)

    def boolean(self, field: str) -> bool:
        value = self.table.get(field, False)
        if not isinstance(value, bool):
            raise self.error(field, "must be true or false.")
        return value

    def secret(
        self, table: dict[str, Any], name: str, prefix: str, *, required: bool = False
    ) -> str | None:
        """A secret from ``<name>_file`` or ``<name>_env`` (at most one; ``required``: exactly)."""
        sources: dict[str, Callable[[str, str], str]] = {
            "file": self.secret_from_file,
            "env": self.secret_from_variable,
        }
        given = [source for source in sources if f"{name}_{source}" in table]
        if len(given) > 1:
            raise self.error(f"{prefix}{name}_file", f"and {name}_env are both set: keep one.")
        if not given:
            if required:
                raise self.error(f"{prefix}{name}_file", f"is required (or {name}_env).")
            return None
        field = f"{name}_{given[0]}"
        reference = table[field]
        if not isinstance(reference, str) or not reference.strip():
            raise self.error(prefix + field, "must be a non-empty string.")
        value = sources[given[0]](prefix + field, reference.strip())
        register_secret(value)  # masked in logs from the moment it is read
        return value

    def secret_from_file(self, field: str, file_name: str) -> str:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise self.error(
                field, f"names {file_name!r}, which cannot be read ({error.strerror})."
            ) from None
        if not value:
            raise self.error(field, f"names {file_name!r}, which is empty.")
        return value

    def secret_from_variable(self, field: str, variable: str) -> str:
        value = os.environ.get(variable, "").strip()
        if not value:
            raise self.error(field, f"names the environment variable {variable}, which is not set.")
        return value

    def alert_channels(self) -> AlertChannels:
        table = self.table.get("alerts")
        if table is None:
            return AlertChannels()
        if not isinstance(table, dict):
            raise self.error("alerts", "must be a table: [environment.alerts].")
        self.refuse_unknown(table, _ALERT_FIELDS, "alerts.")
        slack, webhook, secret = (self.secret(table, name, "alerts.") for name in _ALERT_SECRETS)
        for name, url in (("slack_webhook_url", slack), ("webhook_url", webhook)):
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                source = "file" if f"{name}_file" in table else "env"
                raise self.error(f"alerts.{name}_{source}", "does not hold an http(s) URL.")
        return AlertChannels(
            email_to=self.addresses(table),
            slack_webhook_url=slack,
            webhook_url=webhook,
            webhook_secret=secret,
        )

    def addresses(self, table: dict[str, Any]) -> tuple[str, ...] | None:
        value = table.get("email_to")
        if value is None:
            return None
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error("alerts.email_to", "must be a list of addresses or one string.")
        addresses = tuple(item.strip() for item in value if item.strip())
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise self.error(
                    "alerts.email_to", f"{address!r} is not an email address."
                ) from None
        return addresses
