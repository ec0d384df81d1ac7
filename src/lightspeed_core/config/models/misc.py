"""Smaller sections.

``compaction``, ``approvals``, ``azure_entra_id``, ``rlsapi_v1``, ``splunk``, ``observability``,
``skills`` and ``saved_prompts``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    NonNegativeInt,
    PositiveInt,
    raise_issues,
)

__all__ = [
    "ApprovalsConfiguration",
    "AzureEntraIdConfiguration",
    "CompactionConfiguration",
    "ObservabilityConfiguration",
    "RlsapiV1Configuration",
    "SavedPromptsConfiguration",
    "SkillsConfiguration",
    "SplunkConfiguration",
    "otel_settings_from_environment",
]


class CompactionConfiguration(ConfigModel):
    """Conversation history compaction: when to summarize older turns."""

    enabled: bool = Field(
        default=False,
        title="Enable compaction",
        description=(
            "When true, older conversation turns are summarized by the turn's model when "
            "estimated tokens approach the context window limit (inference.context_windows); "
            "summaries are stored in conversation_summaries (docs/conversations.md)."
        ),
    )
    threshold_ratio: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        title="Threshold ratio",
        description=(
            "Trigger compaction when estimated tokens exceed this fraction of the model's "
            "context window (0.0-1.0)."
        ),
    )
    token_floor: NonNegativeInt = Field(
        default=4096,
        title="Token floor",
        description="Minimum token count before compaction can trigger.",
    )
    buffer_turns: NonNegativeInt = Field(
        default=4, title="Buffer turns", description="Number of recent turns to keep verbatim."
    )
    buffer_max_ratio: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        title="Buffer max ratio",
        description=(
            "Maximum fraction of context window the buffer zone can occupy, regardless of "
            "buffer_turns (0.0-1.0). Summaries that together exceed it are folded into one."
        ),
    )


class ApprovalsConfiguration(ConfigModel):
    """Human-in-the-loop approval of MCP tool invocations."""

    approval_timeout_seconds: PositiveInt = Field(
        default=300,
        title="Approval timeout",
        description="Seconds before pending approval requests expire",
    )
    approval_retention_days: PositiveInt = Field(
        default=30,
        title="Retention period",
        description="Days to retain decided approvals before cleanup",
    )


class AzureEntraIdConfiguration(ConfigModel):
    """Microsoft Entra ID credentials used to obtain Azure OpenAI access tokens."""

    tenant_id: SecretStr = Field(title="Tenant ID", description="Azure tenant (directory) ID.")
    client_id: SecretStr = Field(title="Client ID", description="Azure application client ID.")
    client_secret: SecretStr = Field(
        title="Client secret", description="Azure application client secret."
    )
    scope: str = Field(
        default="https://cognitiveservices.azure.com/.default",
        title="Token scope",
        description=(
            "Azure Cognitive Services scope for token requests. Override only if using a "
            "different Azure service."
        ),
    )


class RlsapiV1Configuration(ConfigModel):
    """Settings of the rlsapi v1 ``/infer`` endpoint (RHEL Lightspeed CLA)."""

    allow_verbose_infer: bool = Field(
        default=False,
        title="Allow verbose infer",
        description=(
            "Allow /v1/infer to return extended metadata (tool_calls, rag_chunks, "
            'token_usage) when the client sends "include_metadata": true. Should NOT be '
            "enabled in production."
        ),
    )
    quota_subject: Literal["user_id", "org_id", "system_id"] | None = Field(
        default=None,
        title="Quota subject",
        description=(
            "Identity field used as the quota subject for /v1/infer. When set, token quota "
            "enforcement is enabled for this endpoint. 'org_id' and 'system_id' require "
            "rh-identity authentication."
        ),
    )


class SplunkConfiguration(ConfigModel):
    """Splunk HEC (HTTP Event Collector) telemetry (docs/telemetry.md)."""

    enabled: bool = Field(
        default=False,
        title="Enabled",
        description="Enable or disable Splunk HEC integration.",
    )
    url: str | None = Field(default=None, title="HEC URL", description="Splunk HEC endpoint URL.")
    token_path: Path | None = Field(
        default=None,
        title="Token path",
        description=(
            "Path to file containing the Splunk HEC authentication token. Read again for "
            "every event, so a rotated token applies without a restart."
        ),
    )
    index: str | None = Field(
        default=None, title="Index", description="Target Splunk index for events."
    )
    source: str = Field(
        default="lightspeed-stack", title="Source", description="Event source identifier."
    )
    timeout: PositiveInt = Field(
        default=5,
        title="Timeout",
        description=(
            "HTTP timeout in seconds for one HEC request. Failed requests are retried twice; "
            "events never delay or fail the API request."
        ),
    )
    verify_ssl: bool = Field(
        default=True,
        title="Verify SSL",
        description="Whether to verify SSL certificates for HEC endpoint.",
    )

    @model_validator(mode="after")
    def _check_enabled(self) -> SplunkConfiguration:
        issues: list[Issue] = []
        if self.enabled:
            for name in ("url", "token_path", "index"):
                if getattr(self, name) is None:
                    issues.append((name, "required when enabled is true"))
        raise_issues(issues)
        return self


_SECRET_MARKERS = ("HEADERS", "KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")


def otel_settings_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the ``OTEL_*`` variables (of the process by default), secret-looking ones redacted."""
    variables = os.environ if environ is None else environ
    settings: dict[str, str] = {}
    for name in sorted(variables):
        if name.startswith("OTEL_"):
            secret = any(marker in name for marker in _SECRET_MARKERS)
            settings[name] = "**********" if secret else variables[name]
    return settings


class ObservabilityConfiguration(ConfigModel):
    """OpenTelemetry settings in effect (informational, read from ``OTEL_*``)."""

    otel: dict[str, str] = Field(
        default_factory=otel_settings_from_environment,
        title="OpenTelemetry configuration",
        description=(
            "Active OpenTelemetry configuration from OTEL_* environment variables (secrets "
            "redacted). Informational: tracing is configured by the variables themselves "
            "(docs/telemetry.md)."
        ),
    )


class SkillsConfiguration(ConfigModel):
    """Agent skills: directories containing ``SKILL.md`` files."""

    paths: list[Path] = Field(
        default_factory=list,
        title="Skill paths",
        description=(
            "Paths to skill directories (each holding a SKILL.md) or directories containing "
            "skill subdirectories; relative paths are relative to the working directory. "
            "Skills are listed by GET /v1/skills and /v1/tools and offered to the model as "
            "tools (list_skills, load_skill, read_skill_resource) that this service runs."
        ),
    )


class SavedPromptsConfiguration(ConfigModel):
    """Limits of the saved prompts feature (``/v1/saved-prompts``, per user)."""

    max_prompts_per_user: PositiveInt = Field(
        default=50,
        le=200,
        title="Max prompts per user",
        description="Maximum number of saved prompts a user can create (at most 200).",
    )
    max_display_name_length: PositiveInt = Field(
        default=255,
        le=255,
        title="Max display name length",
        description="Maximum character length for prompt display name (at most 255).",
    )
    max_content_length: PositiveInt = Field(
        default=10000,
        le=30000,
        title="Max content length",
        description="Maximum character length for the prompt content body (at most 30000).",
    )
