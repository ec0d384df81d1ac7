"""``ResponsesStream``: OGX events re-labelled; held terminal event; refusal and error events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from lightspeed_core.errors import BackendUnavailableError
from lightspeed_core.pipeline.events import (
    BackendEvent,
    EndEvent,
    ErrorEvent,
    PipelineEvent,
    StartEvent,
    TurnCompleteEvent,
)
from lightspeed_core.pipeline.prepare import PreparedQuery, prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import CallOptions, Endpoint, TurnInput
from lightspeed_core.responses.stream import SERVER_PROMPT, ResponsesStream
from lightspeed_core.schemas.responses import ResponsesRequest
from lightspeed_core.testing.fakes import FakeShields, FakeTools
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.vocabulary.actions import Action
from tests.unit.pipeline.helpers import ALICE

RESPONSES = Endpoint("/v1/responses", Action.RESPONSES)
SERVER_MCP = {"type": "mcp", "server_label": "calc", "server_url": "http://calc/mcp"}
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
}
HIDDEN = {"id": "mcp_1", "type": "mcp_call", "server_label": "calc", "name": "add", "arguments": ""}


def _response(status: str, output: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "fake/fake-model",
        "status": status,
        "output": list(output),
        "tools": [{"type": "mcp", "server_label": "calc"}],
        "instructions": "You are a helpful assistant",
    }


async def _prepared(body: ResponsesRequest, **ports: Any) -> PreparedQuery:
    turn = TurnInput(body.input if isinstance(body.input, str) else "", options=CallOptions())
    return await prepare(fake_ports(**ports), turn, ALICE, RESPONSES, {})


async def _events(items: Sequence[PipelineEvent]) -> AsyncIterator[PipelineEvent]:
    for item in items:
        yield item


def _ogx_events(prepared: PreparedQuery) -> list[PipelineEvent]:
    def event(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": 99, **fields}

    raw = [
        event("response.created", response=_response("in_progress")),
        event("response.in_progress", response=_response("in_progress")),
        event("response.output_item.added", output_index=0, item=HIDDEN),
        event("response.mcp_call.in_progress", item_id="mcp_1", output_index=0),
        event("response.output_item.done", output_index=0, item=HIDDEN),
        event("response.output_text.delta", item_id="msg_1", delta="Hi"),
        event("response.completed", response=_response("completed", [HIDDEN, MESSAGE])),
    ]
    return [
        StartEvent(prepared.conversation_id, prepared.request_id),
        *(BackendEvent(payload) for payload in raw),
        TurnCompleteEvent("Hi"),
        EndEvent(1, 1, available_quotas={"UserQuotaLimiter": 7}),
    ]


async def test_events_are_relabelled_and_the_end_waits_for_quotas() -> None:
    body = ResponsesRequest(input="Hi", metadata={"k": "v"})
    prepared = await _prepared(body, tools=FakeTools([SERVER_MCP]))
    stream = ResponsesStream(prepared, body)
    sent = [p async for p in stream.payloads(_events(_ogx_events(prepared)))]
    kinds = [p["type"] for p in sent]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_text.delta",
        "response.completed",
    ]
    assert [p["sequence_number"] for p in sent] == [0, 1, 2, 3]
    created, progress, _, completed = (p.get("response") for p in sent)
    assert created is not None
    assert created["conversation"] == prepared.conversation_id
    assert created["instructions"] == SERVER_PROMPT
    assert created["model"] == "fake-model"
    assert created["tools"] == []
    assert created["metadata"] == {"k": "v"}
    assert progress is not None
    assert progress["available_quotas"] == {}
    assert progress["output_text"] == ""
    assert completed is not None
    assert completed["available_quotas"] == {"UserQuotaLimiter": 7}
    assert completed["output_text"] == "Hi"
    assert [item["id"] for item in completed["output"]] == ["msg_1"]


async def test_fold_is_the_completed_response() -> None:
    body = ResponsesRequest(input="Hi", instructions="Be brief.", model="fake/fake-model")
    prepared = await _prepared(body)
    answer = await ResponsesStream(prepared, body).fold(_events(_ogx_events(prepared)))
    assert answer.output_text == "Hi"
    assert answer.instructions == "Be brief."
    assert answer.model == "fake/fake-model"
    assert answer.conversation == prepared.conversation_id


async def test_a_refusal_is_four_synthetic_events() -> None:
    body = ResponsesRequest(input="how to build a bomb", stream=True)
    ports = fake_ports(shields=FakeShields(["bomb"]))
    turn = TurnInput("how to build a bomb", options=CallOptions(raw_events="all"))
    prepared = await prepare(ports, turn, ALICE, RESPONSES, {})
    frames = [f async for f in ResponsesStream(prepared, body).sse(run(ports, prepared))]
    assert frames[-1] == "data: [DONE]\n\n"
    payloads = [json.loads(f.split("data: ", 1)[1]) for f in frames[:-1]]
    assert [p["type"] for p in payloads] == [
        "response.created",
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
    ]
    final = payloads[-1]["response"]
    assert final["id"].startswith("modr")
    assert final["output_text"] == "I cannot answer that."
    assert final["conversation"] == prepared.conversation_id


async def test_an_error_after_the_start() -> None:
    body = ResponsesRequest(input="Hi")
    prepared = await _prepared(body)
    failure = BackendUnavailableError("OGX is down")
    events: list[PipelineEvent] = [
        StartEvent(prepared.conversation_id, prepared.request_id),
        ErrorEvent(failure),
    ]
    sent = [p async for p in ResponsesStream(prepared, body).payloads(_events(events))]
    assert sent == [
        {
            "type": "error",
            "code": "503",
            "message": "Unable to connect to OGX: OGX is down",
            "param": None,
            "sequence_number": 0,
        }
    ]
    with pytest.raises(BackendUnavailableError):
        await ResponsesStream(prepared, body).fold(_events(events))
