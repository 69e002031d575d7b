"""The PostHog service layer: the only code in adminui that talks HTTP to PostHog.

Views call ``get_client()`` (or ``get_client(slug)``) and use its CRUD-named methods; they catch
`PostHogError` subclasses, never `requests` exceptions. Results are frozen dataclasses, each
defined with its endpoints: `keys`, `evaluations`, `integrations` (shared ones in `types`).
"""

from __future__ import annotations

from adminui.posthog.client import PostHogClient
from adminui.posthog.environments import (
    PostHogEnvironment,
    clear_caches,
    get_client,
    get_environment,
    get_environments,
    prefix_move,
)
from adminui.posthog.errors import (
    PostHogAuthError,
    PostHogBadResponse,
    PostHogError,
    PostHogNotFound,
    PostHogPermissionError,
    PostHogPersonalKeyRefused,
    PostHogRateLimited,
    PostHogScopeError,
    PostHogServerError,
    PostHogTimeout,
    PostHogUnreachable,
    PostHogValidationError,
)
from adminui.posthog.evaluations import (
    Evaluation,
    EvaluationSummary,
    ModelConfiguration,
    SummaryPattern,
    SummaryStatistics,
)
from adminui.posthog.integrations import (
    BranchPage,
    GoogleAdsAccount,
    GoogleConversionAction,
    Integration,
    JiraProject,
    LinearTeam,
    LinkedInAdsAccount,
    LinkedInConversionRule,
    Repository,
    RepositoryPage,
    SlackChannel,
    SlackChannelPage,
    TwilioPhoneNumber,
    TwilioPhoneNumbers,
)
from adminui.posthog.keys import (
    AlternativeKey,
    DependentConfigs,
    DependentEvaluation,
    EvaluationConfig,
    KeyValidation,
    Model,
    ModelCatalog,
    ProviderKey,
    ProviderSummary,
    TrialUsage,
)
from adminui.posthog.redaction import (
    RedactSecretsFilter,
    redact,
    redact_payload,
    register_secret,
)
from adminui.posthog.types import (
    DeprecationNotice,
    Page,
    UserBasic,
)

__all__ = [
    "AlternativeKey",
    "BranchPage",
    "DependentConfigs",
    "DependentEvaluation",
    "DeprecationNotice",
    "Evaluation",
    "EvaluationConfig",
    "EvaluationSummary",
    "GoogleAdsAccount",
    "GoogleConversionAction",
    "Integration",
    "JiraProject",
    "KeyValidation",
    "LinearTeam",
    "LinkedInAdsAccount",
    "LinkedInConversionRule",
    "Model",
    "ModelCatalog",
    "ModelConfiguration",
    "Page",
    "PostHogAuthError",
    "PostHogBadResponse",
    "PostHogClient",
    "PostHogEnvironment",
    "PostHogError",
    "PostHogNotFound",
    "PostHogPermissionError",
    "PostHogPersonalKeyRefused",
    "PostHogRateLimited",
    "PostHogScopeError",
    "PostHogServerError",
    "PostHogTimeout",
    "PostHogUnreachable",
    "PostHogValidationError",
    "ProviderKey",
    "ProviderSummary",
    "RedactSecretsFilter",
    "Repository",
    "RepositoryPage",
    "SlackChannel",
    "SlackChannelPage",
    "SummaryPattern",
    "SummaryStatistics",
    "TrialUsage",
    "TwilioPhoneNumber",
    "TwilioPhoneNumbers",
    "UserBasic",
    "clear_caches",
    "get_client",
    "get_environment",
    "get_environments",
    "prefix_move",
    "redact",
    "redact_payload",
    "register_secret",
]
