"""Evaluations and their AI summaries: endpoints and results."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Self

from adminui.posthog.transport import Transport, _uuid
from adminui.posthog.types import (
    Page,
    UserBasic,
    _build_list,
    _opt_int,
    _opt_str,
    _opt_uuid_str,
    _str,
    _strings,
    _uuid_str,
    parse_datetime,
)

EVALUATION_SUMMARY_FILTERS = ("all", "pass", "fail", "na")
# What `PATCH evaluations/{id}/` may change from the portal (docs/posthog-contract.md §6.3).
EVALUATION_CHANGES = frozenset({"enabled", "model_configuration"})


# --------------------------------------------------------------------------------------------
# Evaluations


@dataclass(frozen=True)
class ModelConfiguration:
    """The judge an LLM-judge evaluation runs: a model, and the key it is pinned to (if any)."""

    provider: str
    model: str
    provider_key_id: str | None
    provider_key_name: str | None

    @classmethod
    def maybe(cls, data: Any) -> Self | None:
        if not isinstance(data, dict):
            return None
        return cls(
            provider=_str(data.get("provider")),
            model=_str(data.get("model")),
            # A malformed key id is left out: the key is then named without a link.
            provider_key_id=_opt_uuid_str(data.get("provider_key_id")),
            provider_key_name=_opt_str(data.get("provider_key_name")),
        )


@dataclass(frozen=True)
class Evaluation:
    id: str
    name: str
    description: str
    enabled: bool
    evaluation_type: str
    evaluation_config: dict[str, Any]
    output_type: str | None
    output_config: dict[str, Any]
    conditions: list[Any]
    created_at: datetime | None
    updated_at: datetime | None
    created_by: UserBasic | None
    # Newer PostHog: `status` is authoritative (active, paused, or error with a reason) and
    # `target` says what one run judges (a generation, a whole trace or session).
    status: str = ""
    status_reason: str | None = None
    target: str = "generation"
    model_configuration: ModelConfiguration | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = frozenset(
        {
            "id",
            "name",
            "description",
            "enabled",
            "evaluation_type",
            "evaluation_config",
            "output_type",
            "output_config",
            "conditions",
            "created_at",
            "updated_at",
            "created_by",
            "status",
            "status_reason",
            "target",
            "model_configuration",
        }
    )

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        def as_dict(value: Any) -> dict[str, Any]:
            return dict(value) if isinstance(value, dict) else {}

        return cls(
            id=_uuid_str(data["id"]),
            name=_str(data.get("name")),
            description=_str(data.get("description")),
            enabled=bool(data.get("enabled")),
            evaluation_type=_str(data.get("evaluation_type")),
            evaluation_config=as_dict(data.get("evaluation_config")),
            output_type=_opt_str(data.get("output_type")),
            output_config=as_dict(data.get("output_config")),
            conditions=list(data.get("conditions") or []),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            created_by=UserBasic.maybe(data.get("created_by")),
            status=_str(data.get("status")),
            status_reason=_opt_str(data.get("status_reason")),
            target=_str(data.get("target"), "generation"),
            model_configuration=ModelConfiguration.maybe(data.get("model_configuration")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    @property
    def uses_provider_key(self) -> bool:
        """Only LLM judges call a provider; Hog code and sentiment never use a key."""
        return self.evaluation_type == "llm_judge"

    @property
    def supports_summary(self) -> bool:
        """Whether PostHog summarises its runs: `evaluation_summary` reads the pass/fail result
        of single generations, and PostHog's own page offers a summary only for boolean
        evaluations of generations (docs/posthog-contract.md §6.4)."""
        return self.output_type == "boolean" and self.target == "generation"


@dataclass(frozen=True)
class SummaryPattern:
    title: str
    description: str
    frequency: str
    example_reasoning: str | None
    example_generation_ids: list[str]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            title=_str(data.get("title")),
            description=_str(data.get("description")),
            frequency=_str(data.get("frequency")),
            example_reasoning=_opt_str(data.get("example_reasoning")),
            example_generation_ids=_strings(data.get("example_generation_ids")),
        )


@dataclass(frozen=True)
class SummaryStatistics:
    total_analyzed: int
    pass_count: int
    fail_count: int
    na_count: int

    @classmethod
    def from_api(cls, data: Any) -> Self:
        data = data if isinstance(data, dict) else {}
        return cls(
            **{
                name: _opt_int(data.get(name)) or 0
                for name in ("total_analyzed", "pass_count", "fail_count", "na_count")
            }
        )


@dataclass(frozen=True)
class EvaluationSummary:
    """An LLM-written summary of evaluation runs; ``to_dict()`` round-trips through from_api."""

    overall_assessment: str
    pass_patterns: list[SummaryPattern]
    fail_patterns: list[SummaryPattern]
    na_patterns: list[SummaryPattern]
    recommendations: list[str]
    statistics: SummaryStatistics

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        if "overall_assessment" not in data and "statistics" not in data:
            raise KeyError("overall_assessment")
        return cls(
            overall_assessment=_str(data.get("overall_assessment")),
            pass_patterns=_build_list(SummaryPattern.from_api, data.get("pass_patterns")),
            fail_patterns=_build_list(SummaryPattern.from_api, data.get("fail_patterns")),
            na_patterns=_build_list(SummaryPattern.from_api, data.get("na_patterns")),
            recommendations=_strings(data.get("recommendations")),
            statistics=SummaryStatistics.from_api(data.get("statistics")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, for storing a summary and rebuilding it with from_api."""
        return asdict(self)


class EvaluationEndpoints(Transport):
    """Evaluations, and PostHog's LLM summary of their runs."""

    def list_evaluations(
        self,
        *,
        search: str | None = None,
        enabled: bool | None = None,
        evaluation_type: str | None = None,
        ids: list[str] | None = None,
        order_by: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Evaluation]:
        params = {
            "search": search or None,
            "enabled": enabled,
            "evaluation_type": evaluation_type or None,
            "id__in": ",".join(ids) if ids else None,
            "order_by": order_by,
            "limit": limit,
            "offset": offset,
        }
        data = self._get_object("evaluations/", params)
        return self._parse(
            lambda d: Page.from_api(d, Evaluation.from_api, limit=limit, offset=offset), data
        )

    def get_evaluation(self, evaluation_id: str | uuid.UUID) -> Evaluation:
        path = f"evaluations/{_uuid(evaluation_id, 'evaluation')}/"
        return self._parse(Evaluation.from_api, self._get_object(path))

    def update_evaluation(
        self, evaluation_id: str | uuid.UUID, changes: Mapping[str, Any]
    ) -> Evaluation:
        """PATCH `enabled` and/or `model_configuration` ({provider, model, provider_key_id}):
        turn an evaluation on or off, or point its judge at another key or model."""
        unknown = set(changes) - EVALUATION_CHANGES
        if unknown:
            raise ValueError(f"Evaluations cannot change {sorted(unknown)} here")
        path = f"evaluations/{_uuid(evaluation_id, 'evaluation')}/"
        return self._parse(Evaluation.from_api, self._write_object("PATCH", path, dict(changes)))

    def summarize_evaluation(
        self,
        *,
        evaluation_id: str | uuid.UUID,
        filter: str = "all",
        generation_ids: list[str] | None = None,
        force_refresh: bool = False,
    ) -> EvaluationSummary:
        """Ask PostHog's LLM to summarise recent runs (up to 250; LLM timeout, tight throttle)."""
        if filter not in EVALUATION_SUMMARY_FILTERS:
            raise ValueError(f"filter must be one of {EVALUATION_SUMMARY_FILTERS}")
        body: dict[str, Any] = {
            "evaluation_id": _uuid(evaluation_id, "evaluation"),
            "filter": filter,
            "force_refresh": force_refresh,
        }
        if generation_ids is not None:
            body["generation_ids"] = [str(g) for g in generation_ids]
        data = self._write_object("POST", "llm_analytics/evaluation_summary/", body, llm=True)
        return self._parse(EvaluationSummary.from_api, data)
