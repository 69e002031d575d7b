"""The key inventory: every provider key with the evaluation config, filtered, sorted and
exported as the list's query string asks. Views render it; this module never sees a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.http import QueryDict

from adminui.keys.history import changed_keys
from adminui.keys.providers import provider_label
from adminui.keys.rotation import age_in_days
from adminui.posthog import PostHogEnvironment, get_client
from adminui.posthog.keys import ProviderKey
from adminui.posthog.types import Listing
from adminui.web.concurrency import Outcome
from adminui.web.listcopy import REFRESH_PARAM, Copied, Read, gather_copied, wants_refresh
from adminui.web.listing import Ordering, SortColumn, matches, ordering_from, sort_items

STATE_ORDER = {"invalid": 0, "error": 1, "unknown": 2, "ok": 3}
KEY_COLUMNS = [
    SortColumn("name", "Name", lambda key: key.name.casefold()),
    # PostHog's own order: by provider, then name.
    SortColumn(
        "provider",
        "Provider",
        lambda key: (provider_label(key.provider).casefold(), key.name.casefold()),
    ),
    SortColumn("state", "State", lambda key: STATE_ORDER.get(key.state, 2)),
    SortColumn("last_used", "Last used", lambda key: key.last_used_at),
    SortColumn("created", "Created", lambda key: key.created_at),
]
EXPORT_FIELDS = [
    "id",
    "name",
    "provider",
    "state",
    "error_message",
    "api_key_masked",
    "endpoint",
    "created_at",
    "created_by",
    "last_used_at",
    "age_days",
    "active",
]


def active_key_id(config: Outcome) -> str | None:
    """The active key's id from a loaded evaluation config, if it loaded and has one."""
    if config.ok and config.value.active_provider_key:
        return config.value.active_provider_key.id
    return None


# The list's "Changed" filter: keys whose state changed within this long (adminui.keys.history).
CHANGED_WITHIN = {
    "24h": ("In the last 24 hours", timedelta(hours=24)),
    "7d": ("In the last 7 days", timedelta(days=7)),
}


def filter_keys(
    keys: list[ProviderKey], params, environment: PostHogEnvironment
) -> list[ProviderKey]:
    """Apply the list's search (`q`), provider, state and changed filters from the query string."""
    provider, state = params.get("provider", ""), params.get("state", "")
    changed = CHANGED_WITHIN.get(params.get("changed", ""))
    recent = changed_keys(environment, changed[1]) if changed else None
    return [
        key
        for key in keys
        if matches(params.get("q", ""), key.name, key.api_key_masked)
        and (not provider or key.provider == provider)
        and (not state or key.state == state)
        and (recent is None or key.id in recent)
    ]


@dataclass(frozen=True)
class KeyInventory:
    """Every key, the ones the query string asks for (filtered and sorted), the config, and how
    old the copy of PostHog's answer is (`adminui.web.listcopy`)."""

    keys: Listing[ProviderKey]
    shown: list[ProviderKey]
    ordering: Ordering
    config: Outcome
    copied: Copied

    @property
    def keys_fresh(self) -> bool:
        """The keys came from PostHog just now, not from the list's copy."""
        return "keys" in self.copied.fresh

    @property
    def active_id(self) -> str | None:
        return active_key_id(self.config)


# What the list reads from its query string (and its Refresh link adds).
LIST_PARAMS = frozenset(
    {"q", "provider", "state", "changed", "o", "page", "per_page", REFRESH_PARAM}
)


def key_ordering(params: QueryDict) -> Ordering:
    return ordering_from(params, KEY_COLUMNS, default="provider")


def key_inventory(environment: PostHogEnvironment, params: QueryDict) -> KeyInventory:
    """The keys and the evaluation config, read at the same time (or re-filtered from the list's
    copy); the config may fail alone."""
    client = get_client(environment)
    copied = gather_copied(
        environment,
        {
            "keys": Read(("provider_keys",), client.list_provider_keys),
            "config": Read(("evaluation_config",), client.get_evaluation_config),
        },
        refresh=wants_refresh(params),
    )
    loaded = copied.outcomes
    if loaded["keys"].error:
        raise loaded["keys"].error
    keys = loaded["keys"].value
    ordering = key_ordering(params)
    shown = sort_items(filter_keys(keys, params, environment), KEY_COLUMNS, ordering)
    return KeyInventory(keys, shown, ordering, loaded["config"], copied)


def export_row(key: ProviderKey, active_id: str | None) -> dict:
    return {
        "id": key.id,
        "name": key.name,
        "provider": key.provider,
        "state": key.state,
        "error_message": key.error_message or "",
        "api_key_masked": key.api_key_masked,
        # Where the key sends its calls, for the providers whose key names it.
        "endpoint": key.azure_endpoint_display or key.base_url_display or "",
        "created_at": key.created_at.isoformat() if key.created_at else "",
        "created_by": key.created_by.display_name if key.created_by else "",
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else "",
        "age_days": age_in_days(key.created_at),
        "active": key.id == active_id,
    }
