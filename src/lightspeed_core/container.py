"""The typed services container.

Every long-lived object the routes use, built once in the application's lifespan
(``app.build_services``) and stored on ``app.state.services``. No module-level state: what
must be shared between workers and pods lives in the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lightspeed_core.a2a.service import A2AService
from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.compaction.base import Compactor, NoCompaction
from lightspeed_core.config import Configuration
from lightspeed_core.config.models.misc import RlsapiV1Configuration
from lightspeed_core.conversations.base import ConversationStore
from lightspeed_core.conversations.topics import TopicSummarizer
from lightspeed_core.db.engine import Database
from lightspeed_core.feedback.service import FeedbackService
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.llm.functions import CombinedFunctionTools, FunctionTools, NoFunctionTools
from lightspeed_core.llm.ports import Files, ToolCatalogue, VectorStores
from lightspeed_core.llm.prompts import DEFAULT_SYSTEM_PROMPT, SystemPrompts
from lightspeed_core.llm.tokens import TokenEstimator
from lightspeed_core.mcp.base import ToolService
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.pipeline.ports import PipelinePorts, PipelineSettings
from lightspeed_core.prompts.service import PromptService
from lightspeed_core.quota.base import QuotaService
from lightspeed_core.rag.base import RagService
from lightspeed_core.rlsapi.infer import RlsapiService, build_rlsapi
from lightspeed_core.saved_prompts.service import SavedPromptService
from lightspeed_core.shields.base import ShieldService
from lightspeed_core.shutdown import Shutdown
from lightspeed_core.skills.library import SkillLibrary
from lightspeed_core.skills.tools import SkillFunctions
from lightspeed_core.splunk import DISABLED, Splunk
from lightspeed_core.streaming.registry import StreamRegistry
from lightspeed_core.tracing import NOOP_TRACER, Tracer
from lightspeed_core.transcripts.writer import TranscriptWriter


@dataclass(frozen=True)
class BackendState:
    """What startup learned about OGX."""

    version: str | None
    degraded: bool
    preferred_model: str | None


@dataclass(frozen=True)
class Services:
    """Everything a request may need."""

    config: Configuration
    config_dir: Path
    llm: LLMBackend
    backend_state: BackendState
    vector_stores: VectorStores
    files: Files
    tool_catalogue: ToolCatalogue
    metrics: Metrics
    auth: AuthBackend
    policy: AccessPolicy
    prompts: SystemPrompts
    database: Database
    conversations: ConversationStore
    quota: QuotaService
    shields: ShieldService
    tools: ToolService
    rag: RagService
    streams: StreamRegistry
    background: BackgroundTasks
    topics: TopicSummarizer
    tokens: TokenEstimator
    feedback: FeedbackService
    transcripts: TranscriptWriter
    prompt_templates: PromptService
    saved_prompts: SavedPromptService
    skills: SkillLibrary
    a2a: A2AService
    databases: tuple[Database, ...] = ()  # every open database (readiness probes them)
    shutdown: Shutdown = field(default_factory=lambda: Shutdown(10.0))
    compaction: Compactor = field(default_factory=NoCompaction)
    rlsapi: RlsapiService = field(
        default_factory=lambda: build_rlsapi(RlsapiV1Configuration(), DEFAULT_SYSTEM_PROMPT)
    )
    okp_tool: FunctionTools = field(default_factory=NoFunctionTools)  # search_okp (rag/okp_tool)
    tracer: Tracer = NOOP_TRACER
    splunk: Splunk = DISABLED  # /v1/infer and /v1/responses events (splunk/service.py)

    def pipeline_ports(self) -> PipelinePorts:
        """The pipeline's view of the container (see ``pipeline/ports.py``)."""
        inference = self.config.inference
        default_model = None
        if inference.default_provider and inference.default_model:
            default_model = (inference.default_provider, inference.default_model)
        return PipelinePorts(
            settings=PipelineSettings(
                context_windows=inference.context_windows,
                default_model=default_model,
                preferred_model=self.backend_state.preferred_model,
                max_infer_iters=inference.max_infer_iters,
                max_tool_calls=inference.max_tool_calls,
                default_output_tokens=self.config.quota_handlers.default_output_tokens,
            ),
            llm=self.llm,
            prompts=self.prompts,
            tokens=self.tokens,
            conversations=self.conversations,
            quota=self.quota,
            shields=self.shields,
            tools=self.tools,
            rag=self.rag,
            streams=self.streams,
            topics=self.topics,
            metrics=self.metrics,
            transcripts=self.transcripts,
            shutdown=self.shutdown,
            functions=CombinedFunctionTools(SkillFunctions(self.skills), self.okp_tool),
            compaction=self.compaction,
            tracer=self.tracer,
        )
