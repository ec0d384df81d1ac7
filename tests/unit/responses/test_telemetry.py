"""One Splunk event per /v1/responses call, whatever way the turn ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.pipeline.events import (
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    StartEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.prepare import PreparedQuery, prepare
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.responses.telemetry import reported
from lightspeed_core.splunk import DISABLED, Splunk
from lightspeed_core.testing.fakes import RecordingSink
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.vocabulary.actions import Action
from tests.unit.pipeline.helpers import ALICE

RESPONSES = Endpoint("/v1/responses", Action.RESPONSES)


async def _prepared() -> PreparedQuery:
    return await prepare(fake_ports(), TurnInput("Hello?"), ALICE, RESPONSES, {})


async def _events(items: Sequence[PipelineEvent]) -> AsyncIterator[PipelineEvent]:
    for item in items:
        yield item


async def test_a_completed_and_a_failed_call() -> None:
    prepared = await _prepared()
    sink = RecordingSink()
    splunk = Splunk(sink, "prod", enabled=True)
    start = StartEvent(prepared.conversation_id, prepared.request_id)
    done: list[PipelineEvent] = [start, TurnCompleteEvent("Hi there"), EndEvent(3, 2)]
    failed: list[PipelineEvent] = [start, ErrorEvent(BackendUnavailableError("down"))]
    headers = {"user-agent": "sdk/1"}
    passed = [e async for e in reported(_events(done), splunk, prepared, headers)]
    assert passed == done  # unchanged
    _ = [e async for e in reported(_events(failed), splunk, prepared, headers)]
    [(kind, event), (failed_kind, failure)] = sink.sent
    assert kind == "responses_completed"
    assert event["input_text"] == "Hello?"
    assert event["response_text"] == "Hi there"
    assert event["conversation_id"] == prepared.conversation_id
    assert (event["total_llm_tokens"], event["user_agent"]) == (5, "sdk/1")
    assert failed_kind == "responses_error"
    assert failure["response_text"] == "BackendUnavailableError"


async def test_nothing_is_built_when_splunk_is_off() -> None:
    prepared = await _prepared()
    events: list[PipelineEvent] = [
        StartEvent(prepared.conversation_id, prepared.request_id),
        EndEvent(1, 1),
    ]
    assert [e async for e in reported(_events(events), DISABLED, prepared, {})] == events
