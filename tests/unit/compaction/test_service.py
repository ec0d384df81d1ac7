"""Compaction runs with the fakes: summarise once, store, fold, and never twice at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from lightspeed_core.compaction.base import CompactionPlan, Summary, summary_block
from lightspeed_core.compaction.service import SUMMARY_PROMPT, SummaryCompactor, transcript
from lightspeed_core.config.models.misc import CompactionConfiguration
from lightspeed_core.conversations.records import TurnRecord
from lightspeed_core.llm.tokens import approximate_tokens
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.testing.fakes import InMemorySummaries

NOW = datetime(2026, 12, 7, tzinfo=UTC)
CONFIG = CompactionConfiguration(enabled=True, token_floor=0, buffer_max_ratio=0.3)


def turns(first: int, last: int) -> tuple[TurnRecord, ...]:
    return tuple(
        TurnRecord(f"question {n}", f"answer {n}", NOW, NOW, turn_number=n)
        for n in range(first, last + 1)
    )


def plan(summarised: tuple[TurnRecord, ...], window: int = 10_000) -> CompactionPlan:
    return CompactionPlan("alice", "conv-1", "fake/fake-model", window, (), summarised, "Be nice.")


def compactor(llm: FakeLLM, store: InMemorySummaries) -> SummaryCompactor:
    return SummaryCompactor(CONFIG, store, llm, approximate_tokens, lease_seconds=5)


async def test_turns_summarised_with_the_same_model_and_stored() -> None:
    llm, store = FakeLLM([Reply("They discussed questions 1 to 3.")]), InMemorySummaries()
    result = await compactor(llm, store).compact(plan(turns(1, 3)))
    assert [s.through_turn for s in result] == [3]
    assert result[0].text == "They discussed questions 1 to 3."
    (request,) = llm.requests
    assert request.model == "fake/fake-model"
    assert request.instructions == SUMMARY_PROMPT
    assert request.input[0]["content"] == transcript(turns(1, 3))
    assert await store.summaries("conv-1") == result
    assert store.owners == {"conv-1": "alice"}
    assert store.leases == {}  # released


async def test_only_turns_after_the_stored_summary_are_summarised() -> None:
    store = InMemorySummaries()
    await store.add("alice", "conv-1", Summary("old", 2, 1), "m")
    llm = FakeLLM([Reply("newer")])
    result = await compactor(llm, store).compact(plan(turns(1, 4)))
    assert [(s.text, s.through_turn) for s in result] == [("old", 2), ("newer", 4)]
    assert "question 1" not in llm.requests[0].input[0]["content"]
    assert "question 3" in llm.requests[0].input[0]["content"]
    # everything already summarised: no model call
    again = await compactor(llm, store).compact(plan(turns(1, 4)))
    assert again == result
    assert len(llm.requests) == 1


async def test_two_compactions_of_one_conversation_summarise_once() -> None:
    llm, store = FakeLLM([Reply("the summary", delay=0.01)]), InMemorySummaries()
    first, second = compactor(llm, store), compactor(llm, store)
    results = await asyncio.gather(
        first.compact(plan(turns(1, 3))), second.compact(plan(turns(1, 3)))
    )
    assert len(llm.requests) == 1
    assert results[0] == results[1]
    assert [s.through_turn for s in results[0]] == [3]
    assert store.acquired == 2  # the second waited for the lease, then found the work done


async def test_summaries_folded_when_they_outgrow_their_share() -> None:
    store = InMemorySummaries()
    await store.add("alice", "conv-1", Summary("x" * 1000, 2, 250), "m")
    llm = FakeLLM([Reply("y " * 150), Reply("folded")])
    result = await compactor(llm, store).compact(plan(turns(1, 4), window=1000))
    assert [(s.text, s.through_turn) for s in result] == [("folded", 4)]
    assert await store.summaries("conv-1") == result
    assert len(llm.requests) == 2


async def test_empty_summary_stores_nothing() -> None:
    store = InMemorySummaries()
    result = await compactor(FakeLLM([Reply("")]), store).compact(plan(turns(1, 2)))
    assert result == []
    assert store.chunks == {}


def test_summary_block() -> None:
    assert summary_block([]) == ""
    block = summary_block([Summary("one", 1, 1), Summary("two", 2, 1)])
    assert block.endswith("conversation:\none\n\ntwo")
