"""Pydantic models of ``lightspeed-stack.yaml``, one module per group of sections.

Class names follow the reference service so ``--dump-schema`` output stays recognisable.
"""

from __future__ import annotations

from lightspeed_core.config.models.auth import (
    AUTH_MODULES,
    APIKeyTokenConfiguration,
    AuthenticationConfiguration,
    AuthModule,
    JsonPathOperator,
    JwkConfiguration,
    JwtConfiguration,
    JwtRoleRule,
    RHIdentityConfiguration,
    TrustedProxyConfiguration,
    TrustedProxyServiceAccount,
)
from lightspeed_core.config.models.authz import (
    AccessRule,
    AuthorizationConfiguration,
)
from lightspeed_core.config.models.customization import (
    Customization,
    CustomProfile,
)
from lightspeed_core.config.models.databases import (
    DEFAULT_SQLITE_PATH,
    A2AStateConfiguration,
    ConversationHistoryConfiguration,
    DatabaseConfiguration,
    InMemoryCacheConfig,
    PostgreSQLDatabaseConfiguration,
    QuotaHandlersConfiguration,
    QuotaLimiterConfiguration,
    QuotaSchedulerConfiguration,
    RateLimitConfiguration,
    SQLiteDatabaseConfiguration,
)
from lightspeed_core.config.models.inference import (
    InferenceConfiguration,
    InferenceProviderType,
    UnifiedInferenceProvider,
)
from lightspeed_core.config.models.llama_stack import (
    LlamaStackConfiguration,
    UnifiedLlamaStackConfig,
)
from lightspeed_core.config.models.mcp import (
    MCP_HEADER_KEYWORDS,
    ApprovalFilter,
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
    otel_settings_from_environment,
)
from lightspeed_core.config.models.rag import (
    OKP_SOURCE_ID,
    ByokConfiguration,
    OkpConfiguration,
    RagConfiguration,
    RagStore,
    RerankerConfiguration,
    RetrievalConfiguration,
    RetrievalStrategyConfiguration,
)
from lightspeed_core.config.models.root import (
    Configuration,
)
from lightspeed_core.config.models.service import (
    CORSConfiguration,
    ServiceConfiguration,
    TLSConfiguration,
)
from lightspeed_core.config.models.shields import (
    DEFAULT_INVALID_QUESTION_RESPONSE,
    DEFAULT_QUESTION_VALIDITY_PROMPT,
    QuestionValidityConfig,
    QuestionValidityShieldConfiguration,
    RedactionConfig,
    RedactionRule,
    RedactionShieldConfiguration,
    ShieldConfiguration,
)
from lightspeed_core.config.models.user_data import (
    UserDataCollection,
)
from lightspeed_core.config.models.vector_store import (
    FaissVectorStoreProvider,
    FaissVectorStoreProviderConfig,
    PgvectorVectorStoreProvider,
    PgvectorVectorStoreProviderConfig,
    VectorStoreConfiguration,
    VectorStoreProvider,
)

__all__ = [
    "AUTH_MODULES",
    "DEFAULT_INVALID_QUESTION_RESPONSE",
    "DEFAULT_QUESTION_VALIDITY_PROMPT",
    "DEFAULT_SQLITE_PATH",
    "MCP_HEADER_KEYWORDS",
    "OKP_SOURCE_ID",
    "A2AStateConfiguration",
    "APIKeyTokenConfiguration",
    "AccessRule",
    "ApprovalFilter",
    "ApprovalsConfiguration",
    "AuthModule",
    "AuthenticationConfiguration",
    "AuthorizationConfiguration",
    "AzureEntraIdConfiguration",
    "ByokConfiguration",
    "CORSConfiguration",
    "CompactionConfiguration",
    "Configuration",
    "ConversationHistoryConfiguration",
    "CustomProfile",
    "Customization",
    "DatabaseConfiguration",
    "FaissVectorStoreProvider",
    "FaissVectorStoreProviderConfig",
    "InMemoryCacheConfig",
    "InferenceConfiguration",
    "InferenceProviderType",
    "JsonPathOperator",
    "JwkConfiguration",
    "JwtConfiguration",
    "JwtRoleRule",
    "LlamaStackConfiguration",
    "ModelContextProtocolServer",
    "ObservabilityConfiguration",
    "OkpConfiguration",
    "PgvectorVectorStoreProvider",
    "PgvectorVectorStoreProviderConfig",
    "PostgreSQLDatabaseConfiguration",
    "QuestionValidityConfig",
    "QuestionValidityShieldConfiguration",
    "QuotaHandlersConfiguration",
    "QuotaLimiterConfiguration",
    "QuotaSchedulerConfiguration",
    "RHIdentityConfiguration",
    "RagConfiguration",
    "RagStore",
    "RateLimitConfiguration",
    "RedactionConfig",
    "RedactionRule",
    "RedactionShieldConfiguration",
    "RerankerConfiguration",
    "RetrievalConfiguration",
    "RetrievalStrategyConfiguration",
    "RlsapiV1Configuration",
    "SQLiteDatabaseConfiguration",
    "SavedPromptsConfiguration",
    "ServiceConfiguration",
    "ShieldConfiguration",
    "SkillsConfiguration",
    "SplunkConfiguration",
    "TLSConfiguration",
    "TrustedProxyConfiguration",
    "TrustedProxyServiceAccount",
    "UnifiedInferenceProvider",
    "UnifiedLlamaStackConfig",
    "UserDataCollection",
    "VectorStoreConfiguration",
    "VectorStoreProvider",
    "otel_settings_from_environment",
]
