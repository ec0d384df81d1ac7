"""The typed services container.

Every long-lived object the routes use, built once in the application's lifespan
(``app.build_services``) and stored on ``app.state.services``. No module-level state: what
must be shared between workers and pods lives in the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lightspeed_core.auth.base import AuthBackend
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.config import Configuration
from lightspeed_core.conversations.service import ConversationService
from lightspeed_core.db.engine import Database
from lightspeed_core.feedback.service import FeedbackService
from lightspeed_core.llm.base import LLMBackend
from lightspeed_core.mcp.base import ToolService
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.pipeline.prompts import SystemPrompts
from lightspeed_core.pipeline.tokens import TokenEstimator
from lightspeed_core.pipeline.topic import TopicSummarizer
from lightspeed_core.prompts.service import PromptService
from lightspeed_core.quota.base import QuotaService
from lightspeed_core.rag.base import RagService
from lightspeed_core.saved_prompts.service import SavedPromptService
from lightspeed_core.shields.base import ShieldService
from lightspeed_core.skills.library import SkillLibrary
from lightspeed_core.streaming.registry import StreamRegistry
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
    metrics: Metrics
    auth: AuthBackend
    policy: AccessPolicy
    prompts: SystemPrompts
    database: Database
    conversations: ConversationService
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
