"""The sandbox's endpoints, one module per PostHog area."""

from __future__ import annotations

from adminui.sandbox.api import Route
from adminui.sandbox.resources import evaluations, integrations, provider_keys

ROUTES: list[Route] = [*provider_keys.ROUTES, *evaluations.ROUTES, *integrations.ROUTES]
