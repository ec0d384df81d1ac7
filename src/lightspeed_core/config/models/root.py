"""The root ``Configuration`` model: one field per top-level key of ``lightspeed-stack.yaml``.

Section models validate themselves; the checks here need several sections at once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lightspeed_core.config.models.auth import AuthenticationConfiguration
from lightspeed_core.config.models.authz import AuthorizationConfiguration
from lightspeed_core.config.models.base import (
    ConfigModel,
    Issue,
    raise_issues,
    repeated_positions,
)
from lightspeed_core.config.models.customization import Customization
from lightspeed_core.config.models.databases import (
    A2AStateConfiguration,
    ConversationHistoryConfiguration,
    DatabaseConfiguration,
    QuotaHandlersConfiguration,
)
from lightspeed_core.config.models.inference import InferenceConfiguration
from lightspeed_core.config.models.llama_stack import LlamaStackConfiguration
from lightspeed_core.config.models.mcp import (
    McpRegistrationConfiguration,
    ModelContextProtocolServer,
)
from lightspeed_core.config.models.misc import (
    ApprovalsConfiguration,
    AzureEntraIdConfiguration,
    CompactionConfiguration,
    ObservabilityConfiguration,
    RlsapiV1Configuration,
    SavedPromptsConfiguration,
    SkillsConfiguration,
    SplunkConfiguration,
)
from lightspeed_core.config.models.rag import RagConfiguration
from lightspeed_core.config.models.service import ServiceConfiguration
from lightspeed_core.config.models.shields import ShieldConfiguration
from lightspeed_core.config.models.user_data import UserDataCollection
from lightspeed_core.config.models.vector_store import VectorStoreConfiguration

__all__ = ["Configuration"]

_RH_IDENTITY_SUBJECTS = ("org_id", "system_id")


class Configuration(ConfigModel):
    """Global service configuration (the whole ``lightspeed-stack.yaml``)."""

    name: str = Field(
        title="Service name",
        description="Name of the service. That value will be used in REST API endpoints.",
    )
    config_format_version: Literal["legacy", "unified"] | None = Field(
        default=None,
        title="Configuration format version",
        description=(
            "Optional explicit marker of the configuration format. When set, it must agree "
            "with the shape of the configuration: 'unified' requires a synthesis input (a "
            "non-empty inference.providers, a non-empty vector_store.providers, or a "
            "llama_stack.config block), 'legacy' requires none."
        ),
    )
    service: ServiceConfiguration = Field(
        title="Service configuration",
        description="This section contains the HTTP service configuration.",
    )
    llama_stack: LlamaStackConfiguration = Field(
        title="Llama Stack configuration",
        description=(
            "This section contains Llama Stack configuration. The service can call Llama "
            "Stack in library mode or in server mode."
        ),
    )
    user_data_collection: UserDataCollection = Field(
        title="User data collection configuration",
        description=(
            "This section contains configuration for subsystem that collects user data "
            "(transcription history and feedbacks)."
        ),
    )
    database: DatabaseConfiguration = Field(
        default_factory=DatabaseConfiguration,
        title="Database Configuration",
        description="Configuration for database to store conversation IDs and other runtime data",
    )
    mcp_servers: list[ModelContextProtocolServer] = Field(
        default_factory=list,
        title="Model Context Protocol Server and tools configuration",
        description=(
            "MCP (Model Context Protocol) servers provide tools and capabilities to the AI "
            "agents. Only MCP servers defined here are available to the agents."
        ),
    )
    mcp_registration: McpRegistrationConfiguration = Field(
        default_factory=McpRegistrationConfiguration,
        title="MCP server registration",
        description="Limits on MCP servers registered through POST /v1/mcp-servers.",
    )
    authentication: AuthenticationConfiguration = Field(
        default_factory=AuthenticationConfiguration,
        title="Authentication configuration",
        description="Authentication configuration: the module and its settings.",
    )
    authorization: AuthorizationConfiguration | None = Field(
        default=None,
        title="Authorization configuration",
        description="Role-based access control rules.",
    )
    customization: Customization | None = Field(
        default=None,
        title="Custom profile configuration",
        description="System prompt, custom profile and A2A agent card customization.",
    )
    inference: InferenceConfiguration = Field(
        default_factory=InferenceConfiguration,
        title="Inference configuration",
        description=(
            "Default provider and model used when a request names none, inference limits "
            "and unified-mode inference providers."
        ),
    )
    conversation_cache: ConversationHistoryConfiguration = Field(
        default_factory=ConversationHistoryConfiguration,
        title="Conversation history configuration",
        description="Conversation history cache (disabled when type is not set).",
    )
    compaction: CompactionConfiguration = Field(
        default_factory=CompactionConfiguration,
        title="Conversation compaction configuration",
        description=(
            "Controls when conversation history is summarized to keep the model's input "
            "below the context window limit. Disabled by default."
        ),
    )
    approvals: ApprovalsConfiguration = Field(
        default_factory=ApprovalsConfiguration,
        title="Approvals configuration",
        description="Settings for human-in-the-loop approval of MCP tool invocations",
    )
    vector_store: VectorStoreConfiguration = Field(
        default_factory=VectorStoreConfiguration,
        title="Vector store configuration",
        description=(
            "Dynamic vector-store provider capacity for runtime POST /v1/vector-stores "
            "creates. When providers is non-empty, default_provider is required."
        ),
    )
    a2a_state: A2AStateConfiguration = Field(
        default_factory=A2AStateConfiguration,
        title="A2A state configuration",
        description=(
            "Where A2A tasks and contexts are kept: a sqlite or postgres block shares them "
            "between workers and pods; neither keeps them in each process's memory (one "
            "worker). See docs/a2a.md."
        ),
    )
    quota_handlers: QuotaHandlersConfiguration = Field(
        default_factory=QuotaHandlersConfiguration,
        title="Quota handlers",
        description="Quota handlers configuration",
    )
    azure_entra_id: AzureEntraIdConfiguration | None = Field(
        default=None,
        title="Azure Entra ID configuration",
        description="Microsoft Entra ID credentials for Azure OpenAI models.",
    )
    rlsapi_v1: RlsapiV1Configuration = Field(
        default_factory=RlsapiV1Configuration,
        title="rlsapi v1 configuration",
        description=(
            "Configuration for the rlsapi v1 /infer endpoint used by the RHEL Lightspeed "
            "Command Line Assistant (CLA)."
        ),
    )
    splunk: SplunkConfiguration | None = Field(
        default=None,
        title="Splunk configuration",
        description=(
            "Splunk HEC configuration for sending telemetry events: one per /v1/infer and "
            "/v1/responses call (sourcetypes infer_with_llm, infer_error, responses_completed "
            "…), queued and sent in the background with retries; ls_splunk_events_sent_total "
            "and ls_splunk_events_dropped_total count them (docs/telemetry.md)."
        ),
    )
    observability: ObservabilityConfiguration = Field(
        default_factory=ObservabilityConfiguration,
        title="Observability configuration",
        description=(
            "OpenTelemetry and observability configuration collected from OTEL_* "
            "environment variables. Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT (or "
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; OTEL_ANONYMIZATION_SECRET keys the "
            "HMAC of user ids, questions and answers in spans (docs/telemetry.md)."
        ),
    )
    deployment_environment: str = Field(
        default="development",
        title="Deployment environment",
        description=(
            "Deployment environment name (e.g., 'development', 'staging', 'production'). "
            "Used in telemetry events."
        ),
    )
    rag: RagConfiguration = Field(
        default_factory=RagConfiguration,
        title="RAG configuration",
        description=(
            "Unified RAG configuration: BYOK stores, OKP provider, and retrieval strategies "
            "(inline and tool-based)."
        ),
    )
    skills: SkillsConfiguration | None = Field(
        default=None,
        title="Agent skills",
        description="Agent skills configuration. Specifies paths to skill directories.",
    )
    saved_prompts: SavedPromptsConfiguration = Field(
        default_factory=SavedPromptsConfiguration,
        title="Saved prompts configuration",
        description="Limits of the saved prompts feature.",
    )
    shields: list[ShieldConfiguration] = Field(
        default_factory=list,
        title="Shields configuration",
        description=(
            "Agent guardrail shields (question validity and PII redaction). Each entry has "
            "a unique 'name', a 'provider_id' ('question_validity' or 'redaction'), and a "
            "type-specific 'config'."
        ),
    )

    @property
    def uses_unified_synthesis(self) -> bool:
        """True when a unified-mode synthesis input is present."""
        return bool(
            self.llama_stack.config is not None
            or self.inference.providers
            or self.vector_store.providers
        )

    @model_validator(mode="after")
    def _check_cross_section(self) -> Configuration:
        issues = [*self._llama_stack_mode_issues(), *self._uniqueness_issues()]
        if (
            self.rlsapi_v1.quota_subject in _RH_IDENTITY_SUBJECTS
            and self.authentication.module != "rh-identity"
        ):
            issues.append(
                (
                    "rlsapi_v1.quota_subject",
                    f"{self.rlsapi_v1.quota_subject!r} requires authentication.module "
                    "'rh-identity'",
                )
            )
        raise_issues(issues)
        return self

    def _llama_stack_mode_issues(self) -> list[Issue]:
        issues: list[Issue] = []
        unified = self.uses_unified_synthesis
        legacy = self.llama_stack.library_client_config_path is not None
        if unified and legacy:
            issues.append(
                (
                    "llama_stack.library_client_config_path",
                    "cannot be combined with unified-mode inputs (llama_stack.config, "
                    "inference.providers, vector_store.providers)",
                )
            )
        if self.llama_stack.use_as_library_client and not (unified or legacy):
            issues.append(
                (
                    "llama_stack",
                    "library mode needs a llama_stack.config block, inference.providers, "
                    "vector_store.providers or (legacy) library_client_config_path",
                )
            )
        if self.config_format_version == "unified" and not unified:
            issues.append(
                (
                    "config_format_version",
                    "'unified' requires llama_stack.config, inference.providers or "
                    "vector_store.providers",
                )
            )
        if self.config_format_version == "legacy" and unified:
            issues.append(
                (
                    "config_format_version",
                    "'legacy' cannot be used with llama_stack.config, inference.providers or "
                    "vector_store.providers",
                )
            )
        return issues

    def _uniqueness_issues(self) -> list[Issue]:
        issues: list[Issue] = []
        mcp_names = [server.name for server in self.mcp_servers]
        for index, name in repeated_positions(mcp_names):
            issues.append((f"mcp_servers[{index}].name", f"MCP server name {name!r} is used twice"))
        shield_names = [shield.name for shield in self.shields]
        for index, name in repeated_positions(shield_names):
            issues.append((f"shields[{index}].name", f"shield name {name!r} is used twice"))
        return issues
