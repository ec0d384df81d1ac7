"""The ports the pipeline runs on: only what ``prepare`` and ``run`` use, not all of ``Services``.

Why not ``Services``: the pipeline is the application core; giving it the container would
make every test build the whole service (auth, policy, feedback, database ...) and let the
core reach for things it has no business with. :class:`PipelinePorts` names its
collaborators, each a Protocol (or a small concrete object over Protocols), so a test builds
one from the in-process fakes of ``lightspeed_core.testing.fakes`` in a line.
``Services.pipeline_ports()`` builds the production one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lightspeed_core.compaction.base import Compactor, NoCompaction
from lightspeed_core.conversations.base import ConversationStore
from lightspeed_core.conversations.topics import TopicSummarizer
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.llm.functions import FunctionTools, NoFunctionTools
from lightspeed_core.llm.prompts import SystemPrompts
from lightspeed_core.llm.tokens import TokenEstimator
from lightspeed_core.mcp.base import ToolService
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.quota.base import QuotaService
from lightspeed_core.rag.base import RagService
from lightspeed_core.shields.base import ShieldService
from lightspeed_core.shutdown import Shutdown
from lightspeed_core.streaming.registry import StreamRegistry
from lightspeed_core.tracing import NOOP_TRACER, Tracer
from lightspeed_core.transcripts.writer import TranscriptWriter


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    """The configuration values the pipeline reads (from ``inference`` and quotas)."""

    context_windows: Mapping[str, int] = field(default_factory=dict)
    default_model: tuple[str, str] | None = None  # inference.default_provider/default_model
    preferred_model: str | None = None  # what the OGX baseline prefers
    max_infer_iters: int | None = None
    max_tool_calls: int | None = None
    default_output_tokens: int = 1024  # quota_handlers.default_output_tokens


@dataclass(frozen=True, slots=True)
class PipelinePorts:
    """Everything one turn talks to."""

    settings: PipelineSettings
    llm: LLMBackend
    prompts: SystemPrompts
    tokens: TokenEstimator
    conversations: ConversationStore
    quota: QuotaService
    shields: ShieldService
    tools: ToolService
    rag: RagService
    streams: StreamRegistry
    topics: TopicSummarizer
    metrics: Metrics
    transcripts: TranscriptWriter
    shutdown: Shutdown = field(default_factory=lambda: Shutdown(0.0))  # SIGTERM grace period
    functions: FunctionTools = field(default_factory=NoFunctionTools)  # run by us (skills)
    compaction: Compactor = field(default_factory=NoCompaction)
    tracer: Tracer = NOOP_TRACER
