"""`PostHogClient`: the one object views get from ``get_client()``.

It is the transport plus every endpoint group, so call sites read ``client.list_provider_keys()``
whatever module an endpoint lives in. Each group holds its endpoints and their typed results:
`keys` (provider keys, validations, evaluation config, models), `evaluations` (evaluations,
summaries), `integrations` (integrations, their actions, authorize). The transport
(`transport.Transport`) holds what is generic: session, timeouts, retries, paging, URL checks.
"""

from __future__ import annotations

from adminui.posthog.evaluations import EvaluationEndpoints
from adminui.posthog.integrations import IntegrationEndpoints
from adminui.posthog.keys import KeyEndpoints

__all__ = ["PostHogClient"]


class PostHogClient(KeyEndpoints, EvaluationEndpoints, IntegrationEndpoints):
    """One PostHog project, reached with one personal API key."""
