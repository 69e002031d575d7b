"""Keys of one name told apart. PostHog allows two keys with the same name (a new key made next
to the one it replaces, say), which a picker of names alone cannot tell apart: pickers add the
masked key to every name that repeats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from adminui.posthog import PostHogEnvironment, get_client
from adminui.posthog.keys import AlternativeKey, ProviderKey
from adminui.web.concurrency import Outcome
from adminui.web.listcopy import Read, gather_copied


def same_name(name: str) -> str:
    """What two names are compared by: case and surrounding spaces aside."""
    return name.strip().casefold()


def repeated_names(names: Iterable[str]) -> set[str]:
    counts = Counter(same_name(name) for name in names)
    return {name for name, count in counts.items() if count > 1}


def alternative_choices(
    environment: PostHogEnvironment, key: ProviderKey, dependents: Outcome
) -> list[tuple[str, str]]:
    """(id, label) of the working keys PostHog offers to take over `key`'s evaluations
    (`dependent_configs`), each name that repeats, `key`'s own included, with its masked key."""
    alternatives: list[AlternativeKey] = dependents.value.alternative_keys if dependents.ok else []
    repeated = repeated_names([key.name, *(alternative.name for alternative in alternatives)])
    if not any(same_name(alternative.name) in repeated for alternative in alternatives):
        return [(alternative.id, alternative.name) for alternative in alternatives]
    masked = masked_keys(environment)
    return [
        (alternative.id, f"{alternative.name} · {masked[alternative.id]}")
        if same_name(alternative.name) in repeated and alternative.id in masked
        else (alternative.id, alternative.name)
        for alternative in alternatives
    ]


def masked_keys(environment: PostHogEnvironment) -> dict[str, str]:
    """key id -> its masked form, from the key list's copy (adminui/web/listcopy.py) when there
    is one; {} when PostHog cannot list keys now, so the names show alone."""
    read = Read(("provider_keys",), get_client(environment).list_provider_keys)
    outcome = gather_copied(environment, {"keys": read}).outcomes["keys"]
    return {key.id: key.api_key_masked for key in outcome.value} if outcome.ok else {}
