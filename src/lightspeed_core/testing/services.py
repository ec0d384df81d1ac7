"""Build the pipeline's ports, or a whole ``Services``, from in-process fakes.

``fake_ports(llm=FakeLLM([Reply("hi")]), quota=RecordingQuota(limit=100))`` gives the
:class:`~lightspeed_core.pipeline.ports.PipelinePorts` a unit test of ``prepare`` / ``run``
needs; ``fake_services(tmp_path, ...)`` gives a :class:`~lightspeed_core.container.Services`
for code that takes the container (routes, readiness). Every collaborator can be replaced
by keyword; the rest are fakes (or the real no-op implementations).
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from lightspeed_core.a2a.factory import sdk_endpoint
from lightspeed_core.a2a.service import A2AService
from lightspeed_core.a2a.store import MemoryA2AStore
from lightspeed_core.auth.noop import NoopAuth
from lightspeed_core.authz.policy import AccessPolicy
from lightspeed_core.background import BackgroundTasks
from lightspeed_core.config.defaults import DATA_DIR_ENV, built_in_default_configuration
from lightspeed_core.config.models.databases import SQLiteDatabaseConfiguration
from lightspeed_core.container import BackendState, Services
from lightspeed_core.conversations.topics import TopicSummarizer
from lightspeed_core.db.engine import Database, target_for
from lightspeed_core.feedback.service import FeedbackService
from lightspeed_core.feedback.toggle import FeedbackToggle
from lightspeed_core.llm.prompts import SystemPrompts
from lightspeed_core.llm.tokens import approximate_tokens
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.pipeline.ports import PipelinePorts, PipelineSettings
from lightspeed_core.prompts.service import PromptService
from lightspeed_core.saved_prompts.repository import SavedPromptRepository
from lightspeed_core.saved_prompts.service import SavedPromptService
from lightspeed_core.skills.library import SkillLibrary
from lightspeed_core.testing.fake_llm import (
    FakeLLM,
    FakeToolCatalogue,
    InMemoryFiles,
    InMemoryVectorStores,
)
from lightspeed_core.testing.fakes import (
    FakeRag,
    FakeShields,
    FakeTools,
    InMemoryConversations,
    InMemoryStreams,
    RecordingQuota,
)
from lightspeed_core.testing.prompt_store import InMemoryPromptStore
from lightspeed_core.transcripts.writer import TranscriptWriter


def fake_ports(**overrides: Any) -> PipelinePorts:
    """Pipeline ports from fakes; any field of ``PipelinePorts`` may be given."""
    llm = overrides.pop("llm", None) or FakeLLM()
    conversations = overrides.pop("conversations", None) or InMemoryConversations()
    prompts = overrides.pop("prompts", None) or SystemPrompts()
    topics = overrides.pop("topics", None) or TopicSummarizer(
        llm, prompts.topic_summary, conversations.set_topic
    )
    unknown = set(overrides) - {f.name for f in fields(PipelinePorts)}
    if unknown:
        raise TypeError(f"PipelinePorts has no field(s) {sorted(unknown)}")
    ports = PipelinePorts(
        settings=PipelineSettings(),
        llm=llm,
        prompts=prompts,
        tokens=approximate_tokens,
        conversations=conversations,
        quota=RecordingQuota(),
        shields=FakeShields(),
        tools=FakeTools(),
        rag=FakeRag(),
        streams=InMemoryStreams(),
        topics=topics,
        metrics=Metrics(),
        transcripts=TranscriptWriter(None),
    )
    return replace(ports, **overrides)


def fake_services(folder: Path, **overrides: Any) -> Services:
    """A ``Services`` from fakes; ``folder`` holds the (unmigrated, lazily opened) SQLite file.

    The configuration is the built-in default with its data folder in ``folder``.
    """
    config = overrides.pop("config", None) or built_in_default_configuration(
        {DATA_DIR_ENV: str(folder)}
    )
    ports = fake_ports(
        **{k: overrides.pop(k) for k in list(overrides) if k in _PORT_FIELDS and k != "settings"}
    )
    database = overrides.pop("database", None) or Database(
        target_for(SQLiteDatabaseConfiguration(db_path=folder / "lightspeed.db"))
    )
    background = BackgroundTasks()
    services = Services(
        config=config,
        config_dir=folder,
        llm=ports.llm,
        backend_state=BackendState("fake-1.0", degraded=False, preferred_model=None),
        vector_stores=InMemoryVectorStores(),
        files=InMemoryFiles(),
        tool_catalogue=FakeToolCatalogue(),
        metrics=ports.metrics,
        auth=NoopAuth(),
        policy=AccessPolicy(None),
        prompts=ports.prompts,
        database=database,
        conversations=ports.conversations,
        quota=ports.quota,
        shields=ports.shields,
        tools=ports.tools,
        rag=ports.rag,
        streams=ports.streams,
        background=background,
        topics=ports.topics,
        tokens=ports.tokens,
        feedback=FeedbackService(
            FeedbackToggle(database, configured=False), None, ports.conversations
        ),
        transcripts=ports.transcripts,
        prompt_templates=PromptService(InMemoryPromptStore()),
        saved_prompts=SavedPromptService(SavedPromptRepository(database), config.saved_prompts),
        skills=SkillLibrary(()),
        a2a=A2AService(MemoryA2AStore(), background, None, sdk_endpoint),
    )
    return replace(services, **overrides)


_PORT_FIELDS = frozenset(f.name for f in fields(PipelinePorts))
