"""What a key write's result says beyond "done": what changed around the key as a result
(the active key after a delete) or what the user may not have meant (a second key of one name).

Each reads PostHog once more after the write; a failed read only leaves the extra words out."""

from __future__ import annotations

from django.http import QueryDict

from adminui.keys.namesakes import same_name
from adminui.keys.providers import provider_info
from adminui.posthog import PostHogEnvironment, PostHogError, get_client
from adminui.posthog.keys import ProviderKey


def deleted_message(environment: PostHogEnvironment, key: ProviderKey, post: QueryDict) -> str:
    """The result of a delete; for the active key also what runs evaluations now, as PostHog
    tells it afterwards (its replacement, or no key)."""
    text = f"Key “{key.name}” deleted."
    if post.get("was_active") != "1":
        return text
    try:
        config = get_client(environment).get_evaluation_config()
    except PostHogError:
        return f"{text} It was the active key: check which key runs evaluations now."
    successor = config.active_provider_key
    if successor is None:
        return f"{text} No key runs this project's evaluations now: set one as active."
    return f"{text} “{successor.name}” now runs this project's evaluations."


def same_name_keys(environment: PostHogEnvironment, created: ProviderKey) -> str:
    """The other keys named like a new one ("OpenAI key ····ab12"), or "" (also when PostHog
    cannot list keys now: the warning is a courtesy, the key is added either way)."""
    try:
        keys = get_client(environment).list_provider_keys()
    except PostHogError:
        return ""
    others = [
        key
        for key in keys
        if key.id != created.id and same_name(key.name) == same_name(created.name)
    ]
    return ", ".join(f"{provider_info(k.provider).label} key {k.api_key_masked}" for k in others)
