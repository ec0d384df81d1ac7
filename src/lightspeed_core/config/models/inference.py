"""The ``inference`` section: default model/provider, limits and unified-mode providers."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    PositiveInt,
    raise_issues,
    repeated_positions,
)

__all__ = ["InferenceConfiguration", "InferenceProviderType", "UnifiedInferenceProvider"]

InferenceProviderType = Literal[
    "openai",
    "ollama",
    "vllm",
    "sentence_transformers",
    "azure",
    "vertexai",
    "watsonx",
    "vllm_rhaiis",
    "vllm_rhel_ai",
]

_PROVIDER_ID = re.compile(r"^[a-z0-9_-]+$")


class UnifiedInferenceProvider(ConfigModel):
    """A high-level inference provider entry for unified-mode run-config synthesis."""

    type: InferenceProviderType = Field(
        title="Provider type",
        description=(
            "Canonical, backend-agnostic provider identifier mapped to a Llama Stack "
            "provider_type by the synthesizer."
        ),
    )
    id: str | None = Field(
        default=None,
        title="Provider ID",
        description=(
            "Optional identifier emitted as the Llama Stack provider_id. When omitted, "
            "synthesized as type with underscores hyphenated. If set, must be non-empty "
            "after stripping whitespace and may contain only lowercase letters, digits, "
            "underscores, and hyphens."
        ),
    )
    api_key_env: str | None = Field(
        default=None,
        title="API key environment variable",
        description=(
            "Name of the environment variable holding the provider API key. Emitted as a "
            "${env.<name>} reference so the secret is never written to disk in resolved form."
        ),
    )
    allowed_models: list[str] | None = Field(
        default=None,
        title="Allowed models",
        description="Optional allow-list of model identifiers for this provider.",
    )
    extra: dict[str, Any] = Field(
        default_factory=dict,
        title="Extra provider config",
        description=(
            "Additional provider-config keys merged verbatim into the synthesized "
            "provider's config block."
        ),
    )

    @property
    def provider_id(self) -> str:
        """The provider id to emit: ``id`` or the type with underscores hyphenated."""
        return self.id.strip() if self.id is not None else self.type.replace("_", "-")

    @model_validator(mode="after")
    def _check_id(self) -> UnifiedInferenceProvider:
        if self.id is not None and not _PROVIDER_ID.match(self.id.strip()):
            raise_issues(
                [("id", "must be non-empty and use only lowercase letters, digits, '_' and '-'")]
            )
        return self


class InferenceConfiguration(ConfigModel):
    """Inference configuration: defaults used when a request names no model."""

    default_model: str | None = Field(
        default=None,
        title="Default model",
        description="Identification of default model used when no other model is specified.",
    )
    default_provider: str | None = Field(
        default=None,
        title="Default provider",
        description=("Identification of default provider used when no other model is specified."),
    )
    context_windows: dict[str, Annotated[int, Field(gt=0)]] = Field(
        default_factory=dict,
        title="Per-model context window sizes (tokens)",
        description=(
            'Map of fully-qualified model identifier (e.g., "openai/gpt-4o-mini") to context '
            "window size in tokens. Used by the conversation compaction trigger."
        ),
    )
    providers: list[UnifiedInferenceProvider] = Field(
        default_factory=list,
        title="High-level inference providers",
        description=(
            "Unified-mode synthesis input: a backend-agnostic list of inference providers "
            "expanded into Llama Stack provider entries. A non-empty list signals unified "
            "mode."
        ),
    )
    max_infer_iters: PositiveInt | None = Field(
        default=10,
        title="Default max inference iterations",
        description=(
            "Server-side default for the maximum number of inference iterations a model can "
            "perform in a single request. Per-request values take precedence. Set to null "
            "to disable the limit."
        ),
    )
    max_tool_calls: PositiveInt | None = Field(
        default=30,
        title="Default max tool calls",
        description=(
            "Server-side default for the maximum number of tool calls allowed in a single "
            "response. Per-request values take precedence. Set to null to disable the limit."
        ),
    )

    @model_validator(mode="after")
    def _check_defaults(self) -> InferenceConfiguration:
        issues: list[Issue] = []
        if self.default_model is not None and self.default_provider is None:
            issues.append(("default_provider", "required when default_model is set"))
        if self.default_provider is not None and self.default_model is None:
            issues.append(("default_model", "required when default_provider is set"))
        ids = [provider.provider_id for provider in self.providers]
        for index, repeated in repeated_positions(ids):
            issues.append((f"providers[{index}].id", f"provider id {repeated!r} is used twice"))
        raise_issues(issues)
        return self
