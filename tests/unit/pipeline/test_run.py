"""``run``: the event sequence and the once-only post-processing, against fakes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from lightspeed_core.errors import BackendUnavailableError, InternalError
from lightspeed_core.llm.events import RetrievedChunk
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    InterruptedEvent,
    StartEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.outcome import STOPPED_BY_USER
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import TurnInput
from lightspeed_core.shutdown import Shutdown
from lightspeed_core.testing.fake_llm import FakeLLM, Reply, ScriptedTool
from lightspeed_core.testing.fakes import (
    FakeShields,
    InMemoryConversations,
    InMemoryStreams,
    RecordingQuota,
)
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.transcripts.writer import TranscriptWriter

from .helpers import ALICE, QUERY, STREAM, collect


def _only_transcript(folder: Path) -> Any:
    (path,) = folder.rglob("*.json")
    return json.loads(path.read_text())


class FailingStore(InMemoryConversations):
    async def record(self, *args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")


async def test_answer_events_in_order_and_turn_stored_once() -> None:
    quota, store = RecordingQuota(limit=10_000), InMemoryConversations()
    ports = fake_ports(llm=FakeLLM([Reply("Hello there")]), quota=quota, conversations=store)
    prepared = await prepare(ports, TurnInput("hi"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    kinds = [type(e) for e in events]
    assert kinds == [StartEvent, TokenEvent, TokenEvent, TurnCompleteEvent, EndEvent]
    assert events[0] == StartEvent(prepared.conversation_id, prepared.request_id)
    assert [e.text for e in events if isinstance(e, TokenEvent)] == ["Hello ", "there"]
    end = events[-1]
    assert isinstance(end, EndEvent)
    assert (end.input_tokens, end.output_tokens) == (1, 2)
    assert end.available_quotas == {"fake_limiter": 10_000 - 3}
    assert quota.settled == [(prepared.reservation, 1, 2)]
    assert quota.released == []
    (turn,) = await store.turns(prepared.conversation_id)
    assert (turn.query, turn.response, turn.model) == ("hi", "Hello there", "fake-model")
    assert not turn.interrupted
    assert ports.topics.pending == 1  # a new conversation gets a topic summary
    await ports.topics.close(grace=0)


async def test_tool_calls_are_streamed_stored_and_cited() -> None:
    chunk = RetrievedChunk("k8s text", 0.9, "k8s.md", attributes={"title": "Kubernetes"})
    tools = (
        ScriptedTool("lookup", {"q": "x"}, "42"),
        ScriptedTool("file_search", documents=(chunk,)),
    )
    store = InMemoryConversations()
    ports = fake_ports(llm=FakeLLM([Reply("done", tools=tools)]), conversations=store)
    prepared = await prepare(ports, TurnInput("q", generate_topic_summary=False), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    calls = [e for e in events if isinstance(e, ToolCallEvent)]
    results = [e for e in events if isinstance(e, ToolResultEvent)]
    assert [c.name for c in calls] == ["lookup", "file_search"]
    assert [r.round for r in results] == [1, 2]
    assert calls[0].to_wire() == {
        "id": calls[0].id,
        "name": "lookup",
        "args": {"q": "x"},
        "type": "tool_call",
    }
    (turn,) = await store.turns(prepared.conversation_id)
    assert turn.tool_calls == [c.to_wire() for c in calls]
    assert turn.tool_results == [r.to_wire() for r in results]
    assert turn.referenced_documents == [
        {"doc_url": None, "doc_title": "Kubernetes", "source": "k8s.md", "document_id": None}
    ]
    end = events[-1]
    assert isinstance(end, EndEvent)
    assert [c.content for c in end.rag_chunks] == ["k8s text"]
    assert ports.topics.pending == 0  # generate_topic_summary=False


async def test_a_failed_model_call_releases_the_quota_and_stores_nothing() -> None:
    quota, store = RecordingQuota(), InMemoryConversations()
    error = BackendUnavailableError("connection refused")
    llm = FakeLLM([Reply("partial answer here", error=error, error_after=1)])
    ports = fake_ports(llm=llm, quota=quota, conversations=store)
    prepared = await prepare(ports, TurnInput("q"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    assert [type(e) for e in events] == [StartEvent, TokenEvent, ErrorEvent]
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].error is error
    assert quota.released == [prepared.reservation]
    assert quota.settled == []
    assert store.conversations == {}


async def test_a_refusal_is_answered_and_stored_without_calling_the_model() -> None:
    llm, store = FakeLLM(), InMemoryConversations()
    ports = fake_ports(llm=llm, shields=FakeShields(["secret"]), conversations=store)
    prepared = await prepare(ports, TurnInput("the secret?"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    assert [type(e) for e in events] == [StartEvent, TurnCompleteEvent, EndEvent]
    assert isinstance(events[1], TurnCompleteEvent)
    assert events[1].text == "I cannot answer that."
    assert llm.requests == []
    (turn,) = await store.turns(prepared.conversation_id)
    assert (turn.input_tokens, turn.output_tokens) == (3, 2)
    await ports.topics.close(grace=0)


async def test_a_storage_failure_becomes_an_error_event() -> None:
    ports = fake_ports(conversations=FailingStore())
    prepared = await prepare(ports, TurnInput("q"), ALICE, QUERY, {})
    events = await collect(run(ports, prepared))
    assert [type(e) for e in events] == [
        StartEvent,
        TokenEvent,
        TokenEvent,
        TurnCompleteEvent,
        ErrorEvent,
    ]
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    assert isinstance(error.error, InternalError)
    assert error.error.response == "Database query failed"


async def test_interrupt_stores_the_partial_answer_marked_interrupted() -> None:
    streams, store, quota = InMemoryStreams(), InMemoryConversations(), RecordingQuota()
    llm = FakeLLM([Reply("one two three four five six", delay=0.05)])
    ports = fake_ports(llm=llm, streams=streams, conversations=store, quota=quota)
    prepared = await prepare(ports, TurnInput("q"), ALICE, STREAM, {})
    events = []
    async for event in run(ports, prepared, interruptible=True):
        events.append(event)
        if isinstance(event, TokenEvent) and len(events) == 2:
            assert await streams.interrupt(prepared.request_id, "alice")
    assert isinstance(events[-1], InterruptedEvent)
    assert isinstance(events[-2], TokenEvent)
    assert events[-2].text.endswith(STOPPED_BY_USER)
    (turn,) = await store.turns(prepared.conversation_id)
    assert turn.interrupted
    assert turn.response.startswith("one ")
    assert turn.response.endswith(STOPPED_BY_USER)
    assert len(quota.settled) == 1
    assert prepared.request_id in streams.finished
    assert not await streams.interrupt(prepared.request_id, "alice")  # already ended
    await ports.topics.close(grace=0)


async def test_a_client_disconnect_stores_what_was_answered() -> None:
    """The server cancels the response task when the client goes away."""
    store, quota = InMemoryConversations(), RecordingQuota()
    llm = FakeLLM([Reply("one two three four five six", delay=0.05)])
    ports = fake_ports(llm=llm, conversations=store, quota=quota)
    prepared = await prepare(ports, TurnInput("q"), ALICE, STREAM, {})
    first_token = asyncio.Event()

    async def client() -> None:
        async for event in run(ports, prepared, interruptible=True):
            if isinstance(event, TokenEvent):
                first_token.set()

    task = asyncio.create_task(client())
    await first_token.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    (turn,) = await store.turns(prepared.conversation_id)
    assert turn.interrupted
    assert turn.response == "one "
    assert len(quota.settled) == 1
    assert quota.settled[0][2] >= 1  # the output tokens are estimated
    await ports.topics.close(grace=0)


async def test_the_end_of_the_shutdown_grace_period_ends_a_run_in_flight() -> None:
    streams, store, quota = InMemoryStreams(), InMemoryConversations(), RecordingQuota()
    llm = FakeLLM([Reply("one two three four five six", delay=0.05)])
    shutdown = Shutdown(600.0)
    ports = fake_ports(
        llm=llm, streams=streams, conversations=store, quota=quota, shutdown=shutdown
    )
    prepared = await prepare(ports, TurnInput("q"), ALICE, STREAM, {})
    events = []
    async for event in run(ports, prepared, interruptible=True):
        events.append(event)
        if isinstance(event, TokenEvent) and len(events) == 2:
            shutdown.begin()  # SIGTERM: the run may go on ...
            with contextlib.suppress(Exception):
                await prepare(ports, TurnInput("new"), ALICE, STREAM, {})
            shutdown.expire()  # ... until the grace period is over
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    assert (error.error.status_code, error.error.response) == (503, "Service is shutting down")
    (turn,) = await store.turns(prepared.conversation_id)
    assert turn.interrupted
    assert turn.response == "one "
    assert len(quota.settled) == 1
    assert quota.reserved == [prepared.reservation]  # the request during the grace: refused
    assert prepared.request_id in streams.finished
    await ports.topics.close(grace=0)


async def test_shutdown_refuses_new_turns() -> None:
    shutdown = Shutdown(600.0)
    llm = FakeLLM()
    ports = fake_ports(llm=llm, shutdown=shutdown)
    shutdown.begin()
    with pytest.raises(BackendUnavailableError, match="Service is shutting down"):
        await prepare(ports, TurnInput("q"), ALICE, QUERY, {})
    assert llm.requests == []
    shutdown.expire()


async def test_transcript_written_with_the_turn(tmp_path: Path) -> None:
    tools = (ScriptedTool("lookup", {"q": "x"}, "42"),)
    writer = TranscriptWriter(tmp_path)
    ports = fake_ports(llm=FakeLLM([Reply("ok", tools=tools)]), transcripts=writer)
    turn = TurnInput("q", provider="fake", model="fake-model", generate_topic_summary=False)
    prepared = await prepare(ports, turn, ALICE, QUERY, {})
    await collect(run(ports, prepared))
    await writer.close()  # written behind the answer
    document = _only_transcript(tmp_path)
    assert document["llm_response"] == "ok"
    assert document["redacted_query"] == "q"
    assert document["query_is_valid"] is True
    assert document["metadata"]["query_model"] == "fake-model"
    assert document["metadata"]["conversation_id"] == prepared.conversation_id
    assert document["tool_calls"][0]["type"] == "tool_call"
    assert document["tool_results"][0] == {
        "id": document["tool_calls"][0]["id"],
        "status": "success",
        "content": "42",
        "type": "tool_result",
        "round": 1,
    }
