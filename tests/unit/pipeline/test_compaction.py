"""Compaction in the pipeline, with the fakes: planned in prepare, done in run, event streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from lightspeed_core.api.sse import render_json, render_text, serialize
from lightspeed_core.compaction.service import SummaryCompactor
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.llm.tokens import approximate_tokens
from lightspeed_core.pipeline.events import (
    CompactionEvent,
    EndEvent,
    PipelineEvent,
    StartEvent,
    TokenEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.fold import fold
from lightspeed_core.pipeline.ports import PipelinePorts, PipelineSettings
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import TurnInput
from lightspeed_core.testing.fake_llm import DEFAULT_MODEL, FakeLLM, Reply
from lightspeed_core.testing.fakes import InMemoryConversations, InMemorySummaries
from lightspeed_core.testing.services import fake_ports

from .helpers import ALICE, QUERY, STREAM, collect

CID = "0123456789abcdef0123456789abcdef0123456789abcdef"
WINDOW = 2000
SETTINGS = PipelineSettings(context_windows={DEFAULT_MODEL.identifier: WINDOW})
CONFIG = CompactionConfiguration(
    enabled=True, threshold_ratio=0.5, token_floor=0, buffer_turns=2, buffer_max_ratio=0.3
)


async def _conversation(turns: int) -> InMemoryConversations:
    store = InMemoryConversations()
    now = datetime.now(UTC)
    for n in range(1, turns + 1):
        turn = TurnRecord(f"question {n} " + "q" * 200, f"answer {n} " + "a" * 200, now, now)
        await store.record("alice", CID, turn, None)
    return store


def _ports(
    llm: FakeLLM, store: InMemoryConversations, summaries: InMemorySummaries
) -> PipelinePorts:
    compactor = SummaryCompactor(CONFIG, summaries, llm, approximate_tokens)
    return fake_ports(llm=llm, conversations=store, compaction=compactor, settings=SETTINGS)


async def test_long_history_is_compacted_before_the_answer() -> None:
    llm = FakeLLM([Reply("SUMMARY OF TURNS"), Reply("the answer")])
    summaries = InMemorySummaries()
    ports = _ports(llm, await _conversation(12), summaries)  # 12 x ~110 tokens > 1000
    prepared = await prepare(ports, TurnInput("next?", conversation_id=CID), ALICE, STREAM, {})
    assert prepared.compaction is not None
    assert [t.turn_number for t in prepared.compaction.turns] == list(range(1, 11))
    history = [i["content"] for i in prepared.llm_request.input[:-1]]
    assert history[0].startswith("question 11")  # only the buffer stays verbatim
    assert len(history) == 4

    events = await collect(run(ports, prepared))
    assert [type(e) for e in events[:3]] == [StartEvent, CompactionEvent, TokenEvent]
    assert events[1] == CompactionEvent(CID)
    assert isinstance(events[-2], TurnCompleteEvent)
    assert isinstance(events[-1], EndEvent)
    summarise, answer = llm.requests
    assert "question 1 " in summarise.input[0]["content"]
    assert "question 11" not in summarise.input[0]["content"]
    assert answer.instructions is not None
    assert answer.instructions.startswith("You are a helpful assistant\n\nSummary of")
    assert answer.instructions.endswith("SUMMARY OF TURNS")
    assert [s.through_turn for s in await summaries.summaries(CID)] == [10]

    # the next turn reads the summary and compacts nothing
    follow = await prepare(ports, TurnInput("more?", conversation_id=CID), ALICE, QUERY, {})
    assert follow.compaction is None
    assert follow.llm_request.instructions == answer.instructions
    assert follow.llm_request.input[0]["content"].startswith("question 11")


async def test_short_history_and_disabled_compaction_leave_history_alone() -> None:
    llm = FakeLLM([Reply("ok")])
    ports = _ports(llm, await _conversation(3), InMemorySummaries())
    prepared = await prepare(ports, TurnInput("next?", conversation_id=CID), ALICE, QUERY, {})
    assert prepared.compaction is None
    assert len(prepared.llm_request.input) == 7
    answer = await fold(run(ports, prepared))
    assert answer.response == "ok"
    plain = fake_ports(llm=llm, conversations=await _conversation(12), settings=SETTINGS)
    prepared = await prepare(plain, TurnInput("next?", conversation_id=CID), ALICE, QUERY, {})
    assert prepared.compaction is None  # compaction disabled: the history is only trimmed


async def test_compaction_event_rendering() -> None:
    frame = (
        'data: {"event": "compaction", "data": {"status": "started", "conversation_id": "c1"}}\n\n'
    )
    assert render_json(CompactionEvent("c1"), 0) == frame
    assert render_text(CompactionEvent("c1")) == frame  # JSON even in text mode

    async def events() -> AsyncIterator[PipelineEvent]:
        yield CompactionEvent("c1")
        yield TokenEvent("hi")

    assert [piece async for piece in serialize(events(), text_mode=True)] == [frame, "hi"]
